// Search on SQLite (RFC 9051 §6.4.4 substring keys): writes an email's folded search text and header
// fields at append time and answers MessageRepository.matchEmails from them, through the trigram
// index of migrations 6-7 and the header rows of migration 8, choosing per needle between the index
// and the mailbox's own rows.
import type { EmailId, MailboxId } from "../../kit/ids.js";
import { foldHeaderValues, foldSearchRows, type SearchRows } from "../../mime/index/search-rows.js";
import type { IndexedHeaderField, MessageIndex } from "../../mime/message-index.js";
import { foldSearchText } from "../../mime/search-fold.js";
import type { EmailCriterion } from "../mail-store.js";
import { SEARCH_COLUMNS, searchTextOf } from "../search-text.js";
import { IS_PENDING_SEARCH_ROW } from "./search-index-catch-up.js";
import type { SqliteDatabase } from "./sqlite-database.js";

/** The trigram tokenizer indexes every run of this many characters; shorter needles cannot use it. */
const TRIGRAM_LENGTH = 3;
/**
 * A needle is "rare" when the index rows holding all its trigrams number at most this fraction of the
 * mailbox's messages: then walking those candidates (from every mailbox of every account) is cheapest.
 * Otherwise the mailbox's own rows are walked and the index only answers "is this row a candidate".
 * Measured on 100,000 messages: about 16 µs per candidate walked from the index against 4 µs per
 * mailbox entry walked with the index as a set (docs/performance.md "Search index").
 */
const RARE_FRACTION = 0.25;

/** How one needle is looked up (chosen by choosePlan). */
type Plan =
  /** Index candidates first, joined to the mailbox's entries: cost grows with the candidates. */
  | "index"
  /** The mailbox's entries first, each kept when the index lists its row: cost grows with the mailbox. */
  | "mailboxWithIndex"
  /** The mailbox's entries, each checked with instr(): for needles shorter than a trigram. */
  | "mailbox";

/**
 * Stores the folded search text and header fields of a new email; runs inside the append's transaction.
 * The text reaches the trigram index later (search-indexer.ts); until then searches scan its row.
 */
export function insertSearchText(
  sql: SqliteDatabase,
  emailId: EmailId,
  index: MessageIndex,
  rows: SearchRows = foldSearchRows(index),
): void {
  sql
    .stmt(
      `INSERT INTO email_search (email_id, subject, from_text, to_text, cc_text, bcc_text, body_text)
       VALUES (@email_id, @subject, @from_text, @to_text, @cc_text, @bcc_text, @body_text)`,
    )
    .run({ email_id: emailId, ...searchTextOf(index, rows) });
  sql.noteSearchRows();
  insertHeaderFields(sql, emailId, index.headerFields, rows.headerValues);
}

/**
 * Stores an email's top-level header fields for HEADER (at append, and by header-backfill.ts). A value
 * is kept only as far as the search text keeps the header (its first MAX_SEARCH_HEADER_CHARS, values
 * joined by newlines): matchHeader finds candidates through that text.
 */
export function insertHeaderFields(
  sql: SqliteDatabase,
  emailId: EmailId,
  fields: readonly IndexedHeaderField[],
  foldedValues: readonly string[] = foldHeaderValues(fields),
): void {
  const insertHeader = sql.stmt("INSERT INTO email_headers (email_id, name, value) VALUES (?, ?, ?)");
  for (const [i, field] of fields.entries()) insertHeader.run(emailId, field.name, foldedValues[i] ?? "");
}

/**
 * The emails of the mailbox meeting every criterion. Each criterion is answered on its own and the
 * sets intersected. Stored text is folded by foldSearchText, so a folded needle and SQLite's instr()
 * give Unicode case-insensitive substring matches; the trigram indexes only find candidates, each
 * checked with the same instr() (unless the needle is one trigram, which the index matches exactly),
 * so the plan changes speed, never results. Rows the index does not hold yet (IS_PENDING_SEARCH_ROW:
 * appended since the worker's last catch-up) are checked with instr() in the same statement, so one
 * snapshot decides which rows the index answers for.
 */
export function matchEmails(
  sql: SqliteDatabase,
  mailboxId: MailboxId,
  criteria: readonly EmailCriterion[],
): Set<EmailId> {
  if (criteria.length === 0) return emailIds(sql.stmt(ALL_SQL).all(mailboxId));
  let matched: Set<EmailId> | null = null;
  for (const criterion of criteria) {
    const next = matchCriterion(sql, mailboxId, criterion);
    matched = matched === null ? next : intersect(matched, next);
    if (matched.size === 0) break;
  }
  return matched ?? new Set();
}

const ALL_SQL = "SELECT email_id FROM entries WHERE mailbox_id = ?";

function matchCriterion(sql: SqliteDatabase, mailboxId: MailboxId, criterion: EmailCriterion): Set<EmailId> {
  switch (criterion.kind) {
    case "text":
      return matchText(sql, mailboxId, SEARCH_COLUMNS[criterion.field], foldSearchText(criterion.value));
    case "header":
      return matchHeader(sql, mailboxId, criterion.name.toLowerCase(), foldSearchText(criterion.value));
    case "sentDate":
      return matchSentDate(sql, mailboxId, criterion.sinceMs, criterion.beforeMs);
    case "hasAttachment":
      return emailIds(sql.stmt(HAS_ATTACHMENT_SQL).all(mailboxId));
  }
}

/** emails.has_attachment (the schema.ts migration that adds it), written at append from MessageIndex.hasAttachment. */
const HAS_ATTACHMENT_SQL = `SELECT e.email_id FROM entries e JOIN emails m ON m.id = e.email_id
                            WHERE e.mailbox_id = ? AND m.has_attachment = 1`;

/** A text field containing `needle`, by the plan choosePlan picks. */
function matchText(sql: SqliteDatabase, mailboxId: MailboxId, column: string, needle: string): Set<EmailId> {
  const trigrams = trigramsOf(needle);
  const match = `{${column}} : (${trigrams.map(ftsString).join(" AND ")})`;
  const plan = choosePlan(sql, mailboxId, match, trigrams.length);
  const verify = isExactTrigram(needle) ? "" : `AND instr(s.${column}, ?) > 0`;
  const verifyParams = verify ? [needle] : [];
  switch (plan) {
    case "mailbox":
      return emailIds(
        sql
          .stmt(
            `SELECT e.email_id FROM entries e JOIN email_search s ON s.email_id = e.email_id
             WHERE e.mailbox_id = ? AND instr(s.${column}, ?) > 0`,
          )
          .all(mailboxId, needle),
      );
    case "mailboxWithIndex":
      // The unary + keeps SQLite from probing the candidate list per entry: the subquery becomes one
      // in-memory set, and the entry's row is found through the covering index on email_id.
      return emailIds(
        sql
          .stmt(
            `SELECT e.email_id FROM entries e JOIN email_search s ON s.email_id = e.email_id
             WHERE e.mailbox_id = ?
               AND ((+s.id IN (SELECT rowid FROM email_search_fts WHERE email_search_fts MATCH ?) ${verify})
                    OR (${IS_PENDING_SEARCH_ROW} AND instr(s.${column}, ?) > 0))`,
          )
          .all(mailboxId, match, ...verifyParams, needle),
      );
    case "index":
      // CROSS JOIN fixes the order: index candidates first, then their rows and entries; then the rows
      // not indexed yet, from the newest rowids.
      return emailIds(
        sql
          .stmt(
            `SELECT e.email_id FROM email_search_fts f
             CROSS JOIN email_search s ON s.id = f.rowid CROSS JOIN entries e ON e.email_id = s.email_id
             WHERE email_search_fts MATCH ? AND e.mailbox_id = ? ${verify}
             UNION ALL
             SELECT e.email_id FROM email_search s CROSS JOIN entries e ON e.email_id = s.email_id
             WHERE ${IS_PENDING_SEARCH_ROW} AND e.mailbox_id = ? AND instr(s.${column}, ?) > 0`,
          )
          .all(match, mailboxId, ...verifyParams, mailboxId, needle),
      );
  }
}

/**
 * A header field `name` containing `needle`; an empty needle asks only for the field. Short needles
 * and presence go through the mailbox's entries and the (email_id, name) index. Longer ones take their
 * candidates from the text index: every header value kept for search is also in the email's folded
 * `body_text` (insertHeaderFields keeps no more of it than the search text does), so an email whose
 * field holds the needle holds all its trigrams there. Each candidate's rows of that field are then
 * checked with instr(); values are short, and there is no second index to write at every append.
 */
function matchHeader(sql: SqliteDatabase, mailboxId: MailboxId, name: string, needle: string): Set<EmailId> {
  const trigrams = trigramsOf(needle);
  const match = `{body_text} : (${trigrams.map(ftsString).join(" AND ")})`;
  const plan = choosePlan(sql, mailboxId, match, trigrams.length);
  const hasField = `EXISTS (SELECT 1 FROM email_headers h WHERE h.email_id = e.email_id AND h.name = ?
                      AND instr(h.value, ?) > 0)`;
  switch (plan) {
    case "mailbox": {
      const contains = needle === "" ? "" : "AND instr(h.value, ?) > 0";
      return emailIds(
        sql
          .stmt(
            `SELECT e.email_id FROM entries e JOIN email_headers h ON h.email_id = e.email_id AND h.name = ?
             WHERE e.mailbox_id = ? ${contains}`,
          )
          .all(name, mailboxId, ...(contains ? [needle] : [])),
      );
    }
    case "mailboxWithIndex":
      return emailIds(
        sql
          .stmt(
            `SELECT e.email_id FROM entries e JOIN email_search s ON s.email_id = e.email_id
             WHERE e.mailbox_id = ?
               AND (+s.id IN (SELECT rowid FROM email_search_fts WHERE email_search_fts MATCH ?)
                    OR ${IS_PENDING_SEARCH_ROW})
               AND ${hasField}`,
          )
          .all(mailboxId, match, name, needle),
      );
    case "index":
      return emailIds(
        sql
          .stmt(
            `SELECT e.email_id FROM email_search_fts f
             CROSS JOIN email_search s ON s.id = f.rowid CROSS JOIN entries e ON e.email_id = s.email_id
             WHERE email_search_fts MATCH ? AND e.mailbox_id = ? AND ${hasField}
             UNION ALL
             SELECT e.email_id FROM email_search s CROSS JOIN entries e ON e.email_id = s.email_id
             WHERE ${IS_PENDING_SEARCH_ROW} AND e.mailbox_id = ? AND ${hasField}`,
          )
          .all(match, mailboxId, name, needle, mailboxId, name, needle),
      );
  }
}

/**
 * The Date: header in [sinceMs, beforeMs), the internal date standing in when it is missing: the
 * stored emails.sent_at, read through its covering index (migration 8) rather than the email's row.
 */
function matchSentDate(
  sql: SqliteDatabase,
  mailboxId: MailboxId,
  sinceMs: number | null,
  beforeMs: number | null,
): Set<EmailId> {
  const sentAt = "COALESCE(m.sent_at, e.internal_date)";
  return emailIds(
    sql
      .stmt(
        `SELECT e.email_id FROM entries e JOIN emails m INDEXED BY emails_sent_at ON m.id = e.email_id
         WHERE e.mailbox_id = ? AND (? IS NULL OR ${sentAt} >= ?) AND (? IS NULL OR ${sentAt} < ?)`,
      )
      .all(mailboxId, sinceMs, sinceMs, beforeMs, beforeMs),
  );
}

/**
 * Picks a needle's plan. FTS5 keeps no cheap per-term counts, so the index's candidates are counted
 * only up to the "rare" bound, a cost no larger than the candidates the index plan would walk anyway.
 */
function choosePlan(sql: SqliteDatabase, mailboxId: MailboxId, match: string, trigramCount: number): Plan {
  if (trigramCount === 0) return "mailbox";
  const mailbox = sql
    .stmt<{ message_count: number }>("SELECT message_count FROM mailboxes WHERE id = ?")
    .get(mailboxId);
  const rareBound = Math.floor((mailbox?.message_count ?? 0) * RARE_FRACTION);
  const found = sql
    .stmt<{ n: number }>(
      "SELECT count(*) AS n FROM (SELECT 1 FROM email_search_fts WHERE email_search_fts MATCH ? LIMIT ?)",
    )
    .get(match, rareBound + 1);
  return (found?.n ?? 0) <= rareBound ? "index" : "mailboxWithIndex";
}

function emailIds(rows: readonly unknown[]): Set<EmailId> {
  return new Set((rows as readonly { email_id: string }[]).map((row) => row.email_id as EmailId));
}

function intersect(a: ReadonlySet<EmailId>, b: ReadonlySet<EmailId>): Set<EmailId> {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  return new Set([...small].filter((id) => large.has(id)));
}

/**
 * Every distinct trigram of the needle, as the tokenizer counts characters (code points). The indexes
 * keep no positions, so rows holding all of them are a superset of the rows holding the needle.
 */
function trigramsOf(needle: string): string[] {
  const chars = [...needle];
  const trigrams = new Set<string>();
  for (let i = 0; i + TRIGRAM_LENGTH <= chars.length; i++) {
    trigrams.add(chars.slice(i, i + TRIGRAM_LENGTH).join(""));
  }
  return [...trigrams];
}

/** A needle of exactly one trigram: a row holding the trigram holds the needle, no check needed. */
function isExactTrigram(needle: string): boolean {
  return [...needle].length === TRIGRAM_LENGTH;
}

/** An FTS5 string (embedded quotes doubled). */
function ftsString(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

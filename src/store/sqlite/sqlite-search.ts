// Search on SQLite (RFC 9051 §6.4.4 substring keys): writes an email's folded search text and header
// fields at append time and answers MessageRepository.matchEmails from them, through the trigram
// indexes of migrations 6-8, choosing per needle between the index and the mailbox's own rows.
import type { EmailId, MailboxId } from "../../kit/ids.js";
import type { IndexedAddressEntry, MessageIndex } from "../../mime/message-index.js";
import { foldSearchText } from "../../mime/search-fold.js";
import type { EmailCriterion, EmailTextField } from "../mail-store.js";
import type { SqliteDatabase } from "./sqlite-database.js";

/** email_search column per searchable field; `body` shares the full text column (see EmailCriterion). */
const SEARCH_COLUMNS: Record<EmailTextField, string> = {
  subject: "subject",
  from: "from_text",
  to: "to_text",
  cc: "cc_text",
  bcc: "bcc_text",
  body: "body_text",
  text: "body_text",
};
/** The trigram tokenizer indexes every run of this many characters; shorter needles cannot use it. */
const TRIGRAM_LENGTH = 3;
/**
 * A needle whose trigrams are found in more rows than this many times the mailbox's messages is
 * "common": walking its index candidates (from every mailbox of every account) costs more than
 * reading the mailbox's own rows, so those are scanned instead (docs/performance.md "Search index").
 */
const COMMON_CANDIDATES_PER_MESSAGE = 1;

/** Stores the folded search text and header fields of a new email; runs inside the append's transaction. */
export function insertSearchText(sql: SqliteDatabase, emailId: EmailId, index: MessageIndex): void {
  sql
    .stmt(
      `INSERT INTO email_search (email_id, subject, from_text, to_text, cc_text, bcc_text, body_text)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      emailId,
      foldSearchText(index.headers.subject),
      foldSearchText(addressText(index.headers.from)),
      foldSearchText(addressText(index.headers.to)),
      foldSearchText(addressText(index.headers.cc)),
      foldSearchText(addressText(index.headers.bcc)),
      foldSearchText(index.searchText),
    );
  const insertHeader = sql.stmt("INSERT INTO email_headers (email_id, name, value) VALUES (?, ?, ?)");
  for (const field of index.headerFields) insertHeader.run(emailId, field.name, foldSearchText(field.value));
}

/**
 * The emails of the mailbox meeting every criterion. Each criterion is answered on its own and the
 * sets intersected. Stored text is folded by foldSearchText, so a folded needle and SQLite's instr()
 * give Unicode case-insensitive substring matches; the trigram indexes only find candidates, each
 * checked with the same instr() (unless the needle is one trigram, which the index matches exactly),
 * so the plan changes speed, never results.
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
  }
}

/** A text field containing `needle`: through the trigram index, or a scan of the mailbox's rows. */
function matchText(sql: SqliteDatabase, mailboxId: MailboxId, column: string, needle: string): Set<EmailId> {
  const trigrams = trigramsOf(needle);
  const match = `{${column}} : (${trigrams.map(ftsString).join(" AND ")})`;
  if (trigrams.length === 0 || isCommon(sql, mailboxId, "email_search_fts", match)) {
    return emailIds(
      sql
        .stmt(
          `SELECT e.email_id FROM entries e JOIN email_search s ON s.email_id = e.email_id
           WHERE e.mailbox_id = ? AND instr(s.${column}, ?) > 0`,
        )
        .all(mailboxId, needle),
    );
  }
  // CROSS JOIN fixes the order: index candidates first, then their rows and entries, never a
  // mailbox scan probing the index per message.
  const verify = isExactTrigram(needle) ? "" : `AND instr(s.${column}, ?) > 0`;
  return emailIds(
    sql
      .stmt(
        `SELECT DISTINCT e.email_id FROM email_search_fts f
         CROSS JOIN email_search s ON s.id = f.rowid CROSS JOIN entries e ON e.email_id = s.email_id
         WHERE email_search_fts MATCH ? AND e.mailbox_id = ? ${verify}`,
      )
      .all(match, mailboxId, ...(verify ? [needle] : [])),
  );
}

/**
 * A header field `name` containing `needle` (any value when empty): by (email_id, name) for each of
 * the mailbox's messages, or through the trigram index over header values when the needle is rare.
 */
function matchHeader(sql: SqliteDatabase, mailboxId: MailboxId, name: string, needle: string): Set<EmailId> {
  const trigrams = trigramsOf(needle);
  const match = trigrams.map(ftsString).join(" AND ");
  if (trigrams.length === 0 || isCommon(sql, mailboxId, "email_headers_fts", match)) {
    return emailIds(
      sql
        .stmt(
          `SELECT DISTINCT e.email_id FROM entries e
           JOIN email_headers h ON h.email_id = e.email_id AND h.name = ?
           WHERE e.mailbox_id = ? AND instr(h.value, ?) > 0`,
        )
        .all(name, mailboxId, needle),
    );
  }
  const verify = isExactTrigram(needle) ? "" : "AND instr(h.value, ?) > 0";
  return emailIds(
    sql
      .stmt(
        `SELECT DISTINCT e.email_id FROM email_headers_fts f
         CROSS JOIN email_headers h ON h.id = f.rowid CROSS JOIN entries e ON e.email_id = h.email_id
         WHERE email_headers_fts MATCH ? AND h.name = ? AND e.mailbox_id = ? ${verify}`,
      )
      .all(match, name, mailboxId, ...(verify ? [needle] : [])),
  );
}

/** The Date: header in [sinceMs, beforeMs), the internal date standing in when it is missing (emails.sent_at). */
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
        `SELECT e.email_id FROM entries e JOIN emails m ON m.id = e.email_id
         WHERE e.mailbox_id = ? AND (? IS NULL OR ${sentAt} >= ?) AND (? IS NULL OR ${sentAt} < ?)`,
      )
      .all(mailboxId, sinceMs, sinceMs, beforeMs, beforeMs),
  );
}

/**
 * Whether the index finds more candidates for `match` than the mailbox's messages times
 * COMMON_CANDIDATES_PER_MESSAGE. FTS5 keeps no cheap per-term counts, so this counts candidates up to
 * that bound and stops: its cost is bounded by the mailbox's size, like the scan it may choose.
 */
function isCommon(sql: SqliteDatabase, mailboxId: MailboxId, table: string, match: string): boolean {
  const mailbox = sql
    .stmt<{ message_count: number }>("SELECT message_count FROM mailboxes WHERE id = ?")
    .get(mailboxId);
  const bound = (mailbox?.message_count ?? 0) * COMMON_CANDIDATES_PER_MESSAGE;
  const found = sql
    .stmt<{ n: number }>(`SELECT count(*) AS n FROM (SELECT 1 FROM ${table} WHERE ${table} MATCH ? LIMIT ?)`)
    .get(match, bound + 1);
  return (found?.n ?? 0) > bound;
}

function emailIds(rows: readonly unknown[]): Set<EmailId> {
  return new Set((rows as readonly { email_id: string }[]).map((row) => row.email_id as EmailId));
}

function intersect(a: ReadonlySet<EmailId>, b: ReadonlySet<EmailId>): Set<EmailId> {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  return new Set([...small].filter((id) => large.has(id)));
}

/** Display names and addresses as one searchable string (RFC 9051 §6.4.4 FROM/TO/CC/BCC are substring matches). */
function addressText(entries: readonly IndexedAddressEntry[]): string {
  const parts: string[] = [];
  for (const entry of entries) {
    if ("group" in entry) {
      parts.push(entry.group);
      for (const member of entry.members) parts.push(member.name ?? "", `<${member.address}>`);
    } else {
      parts.push(entry.name ?? "", `<${entry.address}>`);
    }
  }
  return parts.filter((p) => p !== "").join(" ");
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

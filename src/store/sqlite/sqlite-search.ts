// Search on SQLite (RFC 9051 §6.4.4 substring keys): writes an email's folded search text at append
// time and answers MessageRepository.matchEmails from it, through the trigram index of migrations 6-7.
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

/** Stores the folded search text of a new email; runs inside the append's write transaction. */
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
}

/**
 * email_search holds text folded by foldSearchText, so a folded needle and SQLite's instr() give
 * Unicode case-insensitive substring matches. Needles of three or more characters are first looked
 * up in the trigram index (email_search_fts, schema migrations 6 and 7), which yields candidates only, and
 * each candidate is then checked with the same instr(), so the index changes speed, never results.
 * Shorter needles have no trigram to look up and fall back to the instr() scan of the mailbox.
 */
export function matchEmails(
  sql: SqliteDatabase,
  mailboxId: MailboxId,
  criteria: readonly EmailCriterion[],
): Set<EmailId> {
  const joins = new Set<string>();
  const where = ["e.mailbox_id = ?"];
  const params: (string | number)[] = [mailboxId];
  const trigramTerms: string[] = [];
  for (const criterion of criteria) {
    if (criterion.kind === "text") {
      const column = SEARCH_COLUMNS[criterion.field];
      const needle = foldSearchText(criterion.value);
      if (codePointCount(needle) >= TRIGRAM_LENGTH) trigramTerms.push(trigramTerm(column, needle));
      joins.add("JOIN email_search s ON s.email_id = e.email_id");
      where.push(`instr(s.${column}, ?) > 0`);
      params.push(needle);
    } else {
      joins.add("JOIN emails m ON m.id = e.email_id");
      const sentAt = "COALESCE(m.sent_at, e.internal_date)";
      if (criterion.sinceMs !== null) {
        where.push(`${sentAt} >= ?`);
        params.push(criterion.sinceMs);
      }
      if (criterion.beforeMs !== null) {
        where.push(`${sentAt} < ?`);
        params.push(criterion.beforeMs);
      }
    }
  }
  // CROSS JOIN fixes the order: index candidates first, then their rows and entries, never a
  // mailbox scan probing the index per message.
  const from =
    trigramTerms.length > 0
      ? `email_search_fts f CROSS JOIN email_search s ON s.id = f.rowid
         CROSS JOIN entries e ON e.email_id = s.email_id
         ${[...joins].filter((join) => !join.includes("email_search")).join(" ")}`
      : `entries e ${[...joins].join(" ")}`;
  if (trigramTerms.length > 0) {
    where.unshift("email_search_fts MATCH ?");
    params.unshift(trigramTerms.join(" AND "));
  }
  const rows = sql
    .stmt<{ email_id: string }>(`SELECT DISTINCT e.email_id FROM ${from} WHERE ${where.join(" AND ")}`)
    .all(...params);
  return new Set(rows.map((row) => row.email_id as EmailId));
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

/** Characters as the trigram tokenizer counts them: code points, not UTF-16 units. */
function codePointCount(text: string): number {
  return [...text].length;
}

/**
 * An FTS5 query restricted to one column: every distinct trigram of the needle, each an FTS5 string
 * (embedded quotes doubled). The index keeps no positions, so this finds rows holding all the
 * trigrams anywhere in the column, a superset of the rows holding the needle.
 */
function trigramTerm(column: string, needle: string): string {
  const chars = [...needle];
  const trigrams = new Set<string>();
  for (let i = 0; i + TRIGRAM_LENGTH <= chars.length; i++) {
    trigrams.add(chars.slice(i, i + TRIGRAM_LENGTH).join(""));
  }
  const terms = [...trigrams].map((trigram) => `"${trigram.replaceAll('"', '""')}"`);
  return `{${column}} : (${terms.join(" AND ")})`;
}

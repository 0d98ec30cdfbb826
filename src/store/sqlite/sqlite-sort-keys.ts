// SORT/THREAD keys on SQLite (RFC 5256, RFC 5957): one email_sort_keys row per email, written with the
// email at append, read for a whole mailbox in one statement. Emails older than the table (migration 10)
// have no row; their keys are computed from the stored index when asked for (docs/imap.md "SORT and THREAD").
import type { EmailId } from "../../kit/ids.js";
import type { MessageIndex } from "../../mime/message-index.js";
import { sortKeysOf } from "../../mime/sort-keys.js";
import type { EmailSortKeys } from "../mail-store.js";
import type { SqliteDatabase } from "./sqlite-database.js";

/** The columns in the order both statements below name them; rows are read as arrays (half the cost). */
const COLUMNS = `email_id, sent_at, base_subject, is_reply, from_mailbox, to_mailbox, cc_mailbox, display_from,
                 display_to, message_id, reference_ids`;
type SortKeyRow = [
  emailId: string,
  sentAt: number | null,
  baseSubject: string,
  isReply: number,
  fromMailbox: string,
  toMailbox: string,
  ccMailbox: string,
  displayFrom: string,
  displayTo: string,
  messageId: string | null,
  referenceIds: string,
];

/** Stores the keys of a new email (inside the append's transaction). */
export function insertSortKeys(sql: SqliteDatabase, emailId: EmailId, index: MessageIndex): void {
  const keys = sortKeysOf(index);
  sql
    .stmt(`INSERT INTO email_sort_keys (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(
      emailId,
      keys.sentAtMs,
      keys.baseSubject,
      keys.isReplyOrForward ? 1 : 0,
      keys.fromMailbox,
      keys.toMailbox,
      keys.ccMailbox,
      keys.displayFrom,
      keys.displayTo,
      keys.messageId,
      JSON.stringify(keys.references),
    );
}

/** The keys of these emails: one statement for all of them (the ids go in as one JSON array). */
export function readSortKeys(sql: SqliteDatabase, emailIds: readonly EmailId[]): Map<EmailId, EmailSortKeys> {
  const keys = new Map<EmailId, EmailSortKeys>();
  if (emailIds.length === 0) return keys;
  const rows = sql
    .stmt(`SELECT ${COLUMNS} FROM json_each(?) AS wanted JOIN email_sort_keys ON email_id = wanted.value`)
    .raw(true)
    .all(JSON.stringify(emailIds)) as SortKeyRow[];
  for (const row of rows) keys.set(row[0] as EmailId, toSortKeys(row));
  if (keys.size < new Set(emailIds).size) {
    const missing = emailIds.filter((id) => !keys.has(id));
    const indexes = sql
      .stmt<{ email_id: string; json: string }>(
        "SELECT i.email_id, i.json FROM json_each(?) AS wanted JOIN email_index AS i ON i.email_id = wanted.value",
      )
      .all(JSON.stringify(missing));
    for (const row of indexes)
      keys.set(row.email_id as EmailId, sortKeysOf(JSON.parse(row.json) as MessageIndex));
  }
  return keys;
}

function toSortKeys(row: SortKeyRow): EmailSortKeys {
  return {
    sentAtMs: row[1],
    baseSubject: row[2],
    isReplyOrForward: row[3] !== 0,
    fromMailbox: row[4],
    toMailbox: row[5],
    ccMailbox: row[6],
    displayFrom: row[7],
    displayTo: row[8],
    messageId: row[9],
    // Most messages refer to nothing; skip the parser for them.
    references: row[10] === "[]" ? [] : (JSON.parse(row[10]) as string[]),
  };
}

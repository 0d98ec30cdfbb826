// SORT/THREAD keys on PostgreSQL (RFC 5256, RFC 5957): one email_sort_keys row per email, written with
// its email at append (one statement per batch), read for a whole mailbox in one round trip. Emails older
// than the table have no row; their keys are computed from the stored index when asked for.
import type { EmailId } from "../../kit/ids.js";
import type { MessageIndex } from "../../mime/message-index.js";
import { sortKeysOf } from "../../mime/sort-keys.js";
import type { EmailSortKeys } from "../mail-store.js";
import type { Sql } from "./pg-database.js";
import { pgText, pgTextOrNull } from "./pg-rows.js";

interface SortKeyRow {
  email_id: string;
  sent_at: string | number | null;
  base_subject: string;
  is_reply: boolean;
  from_mailbox: string;
  to_mailbox: string;
  cc_mailbox: string;
  display_from: string;
  display_to: string;
  message_id: string | null;
  reference_ids: string[];
}

/** Stores the keys of new emails (inside the append's transaction). */
export async function insertSortKeys(
  sql: Sql,
  emails: readonly { readonly emailId: EmailId; readonly message: { readonly index: MessageIndex } }[],
): Promise<void> {
  if (emails.length === 0) return;
  const keys = emails.map((email) => sortKeysOf(email.message.index));
  await sql.run(
    `INSERT INTO email_sort_keys (email_id, sent_at, base_subject, is_reply, from_mailbox, to_mailbox,
                                  cc_mailbox, display_from, display_to, message_id, reference_ids)
     SELECT u.id, u.sent_at, u.base_subject, u.is_reply, u.from_mailbox, u.to_mailbox, u.cc_mailbox,
            u.display_from, u.display_to, u.message_id, u.reference_ids::jsonb
     FROM unnest($1::text[], $2::bigint[], $3::text[], $4::boolean[], $5::text[], $6::text[], $7::text[],
                 $8::text[], $9::text[], $10::text[], $11::text[])
       AS u(id, sent_at, base_subject, is_reply, from_mailbox, to_mailbox, cc_mailbox, display_from,
            display_to, message_id, reference_ids)`,
    [
      emails.map((email) => email.emailId),
      keys.map((k) => k.sentAtMs),
      keys.map((k) => pgText(k.baseSubject)),
      keys.map((k) => k.isReplyOrForward),
      keys.map((k) => pgText(k.fromMailbox)),
      keys.map((k) => pgText(k.toMailbox)),
      keys.map((k) => pgText(k.ccMailbox)),
      keys.map((k) => pgText(k.displayFrom)),
      keys.map((k) => pgText(k.displayTo)),
      keys.map((k) => pgTextOrNull(k.messageId)),
      keys.map((k) => pgText(JSON.stringify(k.references))),
    ],
  );
}

/** The keys of these emails in one round trip (plus one for emails stored before the table existed). */
export async function readSortKeys(
  sql: Sql,
  emailIds: readonly EmailId[],
): Promise<Map<EmailId, EmailSortKeys>> {
  const keys = new Map<EmailId, EmailSortKeys>();
  if (emailIds.length === 0) return keys;
  const unique = [...new Set(emailIds)];
  const rows = await sql.rows<SortKeyRow>("SELECT * FROM email_sort_keys WHERE email_id = ANY($1::text[])", [
    unique,
  ]);
  for (const row of rows) keys.set(row.email_id as EmailId, toSortKeys(row));
  if (keys.size < unique.length) {
    const missing = unique.filter((id) => !keys.has(id));
    const indexes = await sql.rows<{ email_id: string; json: string }>(
      "SELECT email_id, json FROM email_index WHERE email_id = ANY($1::text[])",
      [missing],
    );
    for (const row of indexes)
      keys.set(row.email_id as EmailId, sortKeysOf(JSON.parse(row.json) as MessageIndex));
  }
  return keys;
}

function toSortKeys(row: SortKeyRow): EmailSortKeys {
  return {
    sentAtMs: row.sent_at === null ? null : Number(row.sent_at),
    baseSubject: row.base_subject,
    isReplyOrForward: row.is_reply,
    fromMailbox: row.from_mailbox,
    toMailbox: row.to_mailbox,
    ccMailbox: row.cc_mailbox,
    displayFrom: row.display_from,
    displayTo: row.display_to,
    messageId: row.message_id,
    references: row.reference_ids,
  };
}

// The row-level writes every entry mutation shares, run inside a write transaction that holds the
// account's row lock: inserting entries, removing them (tombstones, counts, quota usage, email garbage)
// and copying/moving between mailboxes. Set-based (unnest of arrays): one statement per step however
// many entries, and mailbox counters and quota usage stay consistent with the entries.
import type { AccountId, EmailId, MailboxId, ModSeq, Uid } from "../../kit/ids.js";
import { MailError } from "../../kit/mail-error.js";
import { DELETED_BIT, SEEN_BIT } from "../flag-codec.js";
import type { CopyResult } from "../mail-store.js";
import { checkQuota } from "../record-rows.js";
import type { Sql, WriteTx } from "./pg-database.js";
import type { AccountRow, EntryRow, MailboxRow } from "./pg-rows.js";

export interface EntryInsert {
  readonly flags: number;
  readonly keywords: string;
  readonly emailId: string;
  readonly threadId: string;
  readonly size: number;
  readonly internalDateMs: number;
  /** Import: the UID to give (at least the next one); omitted, the next one. */
  readonly uid?: number;
  /** Import: the POP3 UIDL the source showed. */
  readonly importedUidl?: string;
}

export async function requireMailboxRow(
  sql: Sql,
  accountId: AccountId,
  mailboxId: MailboxId,
): Promise<MailboxRow> {
  const row = await sql.one<MailboxRow>("SELECT * FROM mailboxes WHERE id = $1 AND account_id = $2", [
    mailboxId,
    accountId,
  ]);
  if (!row) throw new MailError("nonexistent", "Mailbox does not exist");
  return row;
}

/**
 * Rejects with overQuota if adding `count` messages of `bytes` in total would exceed the account's
 * limits. `account` is the row the transaction locked, so its usage is current.
 */

/** Entries of these UIDs that exist, ascending. */
export function entryRows(sql: Sql, mailboxId: MailboxId, uids: readonly Uid[]): Promise<EntryRow[]> {
  if (uids.length === 0) return Promise.resolve([]);
  return sql.rows<EntryRow>(
    "SELECT * FROM entries WHERE mailbox_id = $1 AND uid = ANY($2::bigint[]) ORDER BY uid",
    [mailboxId, [...new Set(uids)]],
  );
}

/**
 * Inserts entries at the mailbox's next UIDs with `modSeq`; returns the UIDs given. The mailbox row's
 * uid_next moves in the same statement that reads it (UPDATE … RETURNING), so UIDs are never handed
 * out twice, whichever node appends. Counts and usage follow.
 */
export async function insertEntries(
  tx: Sql,
  accountId: AccountId,
  mailboxId: MailboxId,
  inserts: readonly EntryInsert[],
  modSeq: ModSeq,
): Promise<Uid[]> {
  let unseen = 0;
  let deleted = 0;
  let bytes = 0;
  for (const entry of inserts) {
    if (!(entry.flags & SEEN_BIT)) unseen++;
    if (entry.flags & DELETED_BIT) deleted++;
    bytes += entry.size;
  }
  const uids = inserts.some((e) => e.uid !== undefined)
    ? await placeImportedUids(tx, mailboxId, inserts)
    : undefined;
  const mailbox = await tx.one<{ first_uid: number }>(
    `UPDATE mailboxes SET uid_next = GREATEST(uid_next + $2, $7), highest_modseq = $3,
       message_count = message_count + $2, unseen_count = unseen_count + $4,
       deleted_count = deleted_count + $5, total_bytes = total_bytes + $6
     WHERE id = $1 RETURNING uid_next - $2 AS first_uid`,
    [mailboxId, inserts.length, modSeq, unseen, deleted, bytes, uids ? (uids.at(-1) as number) + 1 : 0],
  );
  if (!mailbox) throw new MailError("nonexistent", "Mailbox does not exist");
  const given = uids ?? inserts.map((_, i) => (mailbox.first_uid + i) as Uid);
  await tx.run(
    `INSERT INTO entries (mailbox_id, uid, account_id, modseq, flags, keywords, email_id, thread_id, size,
                          internal_date, save_date, pop3_uidl)
     SELECT $1, u.uid, $2, $3, u.flags, u.keywords, u.email_id, u.thread_id, u.size, u.internal_date, $4,
            u.pop3_uidl
     FROM unnest($5::bigint[], $6::integer[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::bigint[],
                 $12::text[])
       AS u(uid, flags, keywords, email_id, thread_id, size, internal_date, pop3_uidl)`,
    [
      mailboxId,
      accountId,
      modSeq,
      Date.now(),
      given,
      inserts.map((e) => e.flags),
      inserts.map((e) => e.keywords),
      inserts.map((e) => e.emailId),
      inserts.map((e) => e.threadId),
      inserts.map((e) => e.size),
      inserts.map((e) => e.internalDateMs),
      inserts.map((e) => e.importedUidl ?? null),
    ],
  );
  // One email may gain several entries in one batch (copies of copies): count them per email.
  await tx.run(
    `UPDATE emails SET entry_count = entry_count + c.n
     FROM (SELECT id, count(*) AS n FROM unnest($1::text[]) AS id GROUP BY id) AS c WHERE emails.id = c.id`,
    [inserts.map((e) => e.emailId)],
  );
  await tx.run(
    "UPDATE accounts SET used_bytes = used_bytes + $1, message_count = message_count + $2 WHERE id = $3",
    [bytes, inserts.length, accountId],
  );
  return given;
}

/**
 * The UIDs of an import's entries: the ones they bring (ascending, not below UIDNEXT), the next free one
 * for the others. The caller holds the account's row lock, so UIDNEXT cannot move in between.
 */
async function placeImportedUids(
  tx: Sql,
  mailboxId: MailboxId,
  inserts: readonly EntryInsert[],
): Promise<Uid[]> {
  const row = await tx.one<{ uid_next: number }>("SELECT uid_next FROM mailboxes WHERE id = $1", [mailboxId]);
  if (!row) throw new MailError("nonexistent", "Mailbox does not exist");
  let uid = Number(row.uid_next);
  const uids: Uid[] = [];
  for (const entry of inserts) {
    if (entry.uid !== undefined) {
      if (entry.uid < uid) throw uidBelowNext(entry.uid, uid);
      uid = entry.uid;
    }
    uids.push(uid as Uid);
    uid++;
  }
  return uids;
}

export function uidBelowNext(uid: number, uidNext: number): MailError {
  return new MailError("invalidInput", `UID ${uid} is below the mailbox's UIDNEXT ${uidNext}`);
}

/**
 * Removes the entries with these UIDs (those that exist), leaving tombstones at `modSeq`; an email
 * left without entries is destroyed (with an email tombstone). Returns the removed UIDs, ascending.
 */
export async function removeEntries(
  tx: Sql,
  accountId: AccountId,
  mailboxId: MailboxId,
  uids: readonly Uid[],
  modSeq: ModSeq,
): Promise<Uid[]> {
  if (uids.length === 0) return [];
  const rows = await tx.rows<EntryRow>(
    "DELETE FROM entries WHERE mailbox_id = $1 AND uid = ANY($2::bigint[]) RETURNING *",
    [mailboxId, [...new Set(uids)]],
  );
  if (rows.length === 0) return [];
  rows.sort((a, b) => a.uid - b.uid);
  let unseen = 0;
  let deleted = 0;
  let bytes = 0;
  for (const row of rows) {
    if (!(row.flags & SEEN_BIT)) unseen++;
    if (row.flags & DELETED_BIT) deleted++;
    bytes += row.size;
  }
  await tx.run(
    `INSERT INTO entry_tombstones (mailbox_id, uid, account_id, email_id, modseq)
     SELECT $1, t.uid, $2, t.email_id, $3 FROM unnest($4::bigint[], $5::text[]) AS t(uid, email_id)
     ON CONFLICT (mailbox_id, uid) DO UPDATE SET account_id = EXCLUDED.account_id,
       email_id = EXCLUDED.email_id, modseq = EXCLUDED.modseq`,
    [mailboxId, accountId, modSeq, rows.map((r) => r.uid), rows.map((r) => r.email_id)],
  );
  const emails = await tx.rows<{ id: string; entry_count: number }>(
    `UPDATE emails SET entry_count = entry_count - c.n
     FROM (SELECT id, count(*) AS n FROM unnest($1::text[]) AS id GROUP BY id) AS c
     WHERE emails.id = c.id RETURNING emails.id, emails.entry_count`,
    [rows.map((r) => r.email_id)],
  );
  const orphans = emails.filter((e) => e.entry_count <= 0).map((e) => e.id as EmailId);
  if (orphans.length > 0) await destroyEmails(tx, accountId, orphans, modSeq);
  await tx.run(
    `UPDATE mailboxes SET highest_modseq = $2, message_count = message_count - $3,
       unseen_count = unseen_count - $4, deleted_count = deleted_count - $5, total_bytes = total_bytes - $6
     WHERE id = $1`,
    [mailboxId, modSeq, rows.length, unseen, deleted, bytes],
  );
  await tx.run(
    "UPDATE accounts SET used_bytes = used_bytes - $1, message_count = message_count - $2 WHERE id = $3",
    [bytes, rows.length, accountId],
  );
  return rows.map((row) => row.uid as Uid);
}

/**
 * Marks emails without entries as destroyed. Their rows stay until purgeDestroyedEmails: a session whose
 * snapshot still shows the message can go on fetching it (RFC 9051 §7.5.1 allows serving it).
 */
async function destroyEmails(tx: Sql, accountId: AccountId, emailIds: readonly EmailId[], modSeq: ModSeq) {
  await tx.run("UPDATE emails SET destroyed_at = $1 WHERE id = ANY($2::text[])", [Date.now(), emailIds]);
  await tx.run(
    `INSERT INTO email_tombstones (account_id, email_id, modseq, created_modseq, thread_id)
     SELECT $1, id, $2, created_modseq, thread_id FROM emails WHERE id = ANY($3::text[])`,
    [accountId, modSeq, emailIds],
  );
}

/**
 * Copies (or moves) entries into another mailbox of the same account in ascending UID order, keeping
 * flags and INTERNALDATE and sharing the email (RFC 9051 §6.4.7, RFC 6851). Copies count against quota.
 */
export async function transferEntries(
  tx: WriteTx,
  account: AccountRow,
  from: MailboxId,
  uids: readonly Uid[],
  to: MailboxId,
  mode: "copy" | "move",
): Promise<CopyResult> {
  const accountId = account.id as AccountId;
  await requireMailboxRow(tx, accountId, from);
  const rows = await entryRows(tx, from, uids);
  const target = await requireMailboxRow(tx, accountId, to);
  if (rows.length === 0) return { uidValidity: target.uid_validity, sourceUids: [], destinationUids: [] };
  if (mode === "copy") {
    checkQuota(
      account,
      rows.length,
      rows.reduce((sum, row) => sum + row.size, 0),
    );
  }
  const modSeq = await tx.nextModSeq(accountId);
  const destinationUids = await insertEntries(
    tx,
    accountId,
    to,
    rows.map((row) => ({
      flags: row.flags,
      keywords: row.keywords,
      emailId: row.email_id,
      threadId: row.thread_id,
      size: row.size,
      internalDateMs: row.internal_date,
    })),
    modSeq,
  );
  const sourceUids = rows.map((row) => row.uid as Uid);
  if (mode === "move") {
    await removeEntries(tx, accountId, from, sourceUids, modSeq);
    tx.emit({ accountId, mailboxId: from, modSeq });
  }
  tx.emit({ accountId, mailboxId: to, modSeq });
  return { uidValidity: target.uid_validity, sourceUids, destinationUids };
}

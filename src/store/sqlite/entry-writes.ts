// The row-level writes every entry mutation shares, run inside a write transaction: inserting an entry,
// removing entries (tombstones, counts, quota usage, email garbage) and copying/moving between mailboxes.
// Keeping them in one place keeps mailbox counters and quota usage consistent with the entries.
import type { AccountId, EmailId, MailboxId, ModSeq, Uid } from "../../kit/ids.js";
import { MailError } from "../../kit/mail-error.js";
import { DELETED_BIT, SEEN_BIT } from "../flag-codec.js";
import type { CopyResult } from "../mail-store.js";
import {
  type AccountRow,
  checkQuota as checkAccountQuota,
  type EntryRow,
  type MailboxRow,
} from "../record-rows.js";
import type { SqliteDatabase, WriteScope } from "./sqlite-database.js";

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

export function requireMailboxRow(
  sql: SqliteDatabase,
  accountId: AccountId,
  mailboxId: MailboxId,
): MailboxRow {
  const row = sql
    .stmt<MailboxRow>("SELECT * FROM mailboxes WHERE id = ? AND account_id = ?")
    .get(mailboxId, accountId);
  if (!row) throw new MailError("nonexistent", "Mailbox does not exist");
  return row;
}

/** Rejects with overQuota if adding `count` messages of `bytes` in total would exceed the account's limits. */
export function checkQuota(sql: SqliteDatabase, accountId: AccountId, count: number, bytes: number): void {
  const account = sql.stmt<AccountRow>("SELECT * FROM accounts WHERE id = ?").get(accountId);
  if (!account) throw new MailError("nonexistent", "Account does not exist");
  checkAccountQuota(account, count, bytes);
}

/**
 * Inserts entries at the mailbox's next UIDs (or at the UIDs an import brings, which must not go below
 * them) with `modSeq`; returns the UIDs given. Counts and usage follow.
 */
export function insertEntries(
  sql: SqliteDatabase,
  accountId: AccountId,
  mailbox: MailboxRow,
  inserts: readonly EntryInsert[],
  modSeq: ModSeq,
): Uid[] {
  const now = Date.now();
  const insert = sql.stmt(
    `INSERT INTO entries (mailbox_id, uid, account_id, modseq, flags, keywords, email_id, thread_id, size,
                          internal_date, save_date, pop3_uidl)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const bumpEmail = sql.stmt("UPDATE emails SET entry_count = entry_count + 1 WHERE id = ?");
  const uids: Uid[] = [];
  let uid = mailbox.uid_next;
  let unseen = 0;
  let deleted = 0;
  let bytes = 0;
  for (const entry of inserts) {
    if (entry.uid !== undefined) {
      if (entry.uid < uid) throw uidBelowNext(entry.uid, uid);
      uid = entry.uid;
    }
    insert.run(
      mailbox.id,
      uid,
      accountId,
      modSeq,
      entry.flags,
      entry.keywords,
      entry.emailId,
      entry.threadId,
      entry.size,
      entry.internalDateMs,
      now,
      entry.importedUidl ?? null,
    );
    bumpEmail.run(entry.emailId);
    uids.push(uid as Uid);
    uid++;
    if (!(entry.flags & SEEN_BIT)) unseen++;
    if (entry.flags & DELETED_BIT) deleted++;
    bytes += entry.size;
  }
  sql
    .stmt(
      `UPDATE mailboxes SET uid_next = ?, highest_modseq = ?, message_count = message_count + ?,
         unseen_count = unseen_count + ?, deleted_count = deleted_count + ?, total_bytes = total_bytes + ?
       WHERE id = ?`,
    )
    .run(uid, modSeq, inserts.length, unseen, deleted, bytes, mailbox.id);
  sql
    .stmt("UPDATE accounts SET used_bytes = used_bytes + ?, message_count = message_count + ? WHERE id = ?")
    .run(bytes, inserts.length, accountId);
  return uids;
}

export function uidBelowNext(uid: number, uidNext: number): MailError {
  return new MailError("invalidInput", `UID ${uid} is below the mailbox's UIDNEXT ${uidNext}`);
}

/**
 * Removes the entries with these UIDs (those that exist), leaving tombstones at `modSeq`; an email
 * left without entries is destroyed (with an email tombstone). Returns the removed UIDs, ascending.
 */
export function removeEntries(
  sql: SqliteDatabase,
  accountId: AccountId,
  mailboxId: MailboxId,
  uids: readonly Uid[],
  modSeq: ModSeq,
): Uid[] {
  const select = sql.stmt<EntryRow>("SELECT * FROM entries WHERE mailbox_id = ? AND uid = ?");
  const remove = sql.stmt("DELETE FROM entries WHERE mailbox_id = ? AND uid = ?");
  const tombstone = sql.stmt(
    `INSERT OR REPLACE INTO entry_tombstones (mailbox_id, uid, account_id, email_id, modseq) VALUES (?, ?, ?, ?, ?)`,
  );
  const dropEmailRef = sql.stmt<{ entry_count: number }>(
    "UPDATE emails SET entry_count = entry_count - 1 WHERE id = ? RETURNING entry_count",
  );
  const removed: Uid[] = [];
  let unseen = 0;
  let deleted = 0;
  let bytes = 0;
  for (const uid of [...uids].sort((a, b) => a - b)) {
    const row = select.get(mailboxId, uid);
    if (!row) continue;
    remove.run(mailboxId, uid);
    tombstone.run(mailboxId, uid, accountId, row.email_id, modSeq);
    const left = dropEmailRef.get(row.email_id);
    if (left && left.entry_count <= 0) destroyEmail(sql, accountId, row.email_id as EmailId, modSeq);
    removed.push(uid);
    if (!(row.flags & SEEN_BIT)) unseen++;
    if (row.flags & DELETED_BIT) deleted++;
    bytes += row.size;
  }
  if (removed.length > 0) {
    sql
      .stmt(
        `UPDATE mailboxes SET highest_modseq = ?, message_count = message_count - ?,
           unseen_count = unseen_count - ?, deleted_count = deleted_count - ?, total_bytes = total_bytes - ?
         WHERE id = ?`,
      )
      .run(modSeq, removed.length, unseen, deleted, bytes, mailboxId);
    sql
      .stmt("UPDATE accounts SET used_bytes = used_bytes - ?, message_count = message_count - ? WHERE id = ?")
      .run(bytes, removed.length, accountId);
  }
  return removed;
}

/**
 * Marks an email without entries as destroyed. Its row stays until purgeDestroyedEmails: a session whose
 * snapshot still shows the message can go on fetching it (RFC 9051 §7.5.1 allows serving it).
 */
function destroyEmail(sql: SqliteDatabase, accountId: AccountId, emailId: EmailId, modSeq: ModSeq): void {
  sql.stmt("UPDATE emails SET destroyed_at = ? WHERE id = ?").run(Date.now(), emailId);
  sql
    .stmt(
      `INSERT INTO email_tombstones (account_id, email_id, modseq, created_modseq, thread_id)
       SELECT ?, id, ?, created_modseq, thread_id FROM emails WHERE id = ?`,
    )
    .run(accountId, modSeq, emailId);
}

/**
 * Copies (or moves) entries into another mailbox of the same account in ascending UID order, keeping
 * flags and INTERNALDATE and sharing the email (RFC 9051 §6.4.7, RFC 6851). Copies count against quota.
 */
export function transferEntries(
  sql: SqliteDatabase,
  scope: WriteScope,
  accountId: AccountId,
  from: MailboxId,
  uids: readonly Uid[],
  to: MailboxId,
  mode: "copy" | "move",
): CopyResult {
  requireMailboxRow(sql, accountId, from);
  const select = sql.stmt<EntryRow>("SELECT * FROM entries WHERE mailbox_id = ? AND uid = ?");
  const rows: EntryRow[] = [];
  for (const uid of [...new Set(uids)].sort((a, b) => a - b)) {
    const row = select.get(from, uid);
    if (row) rows.push(row);
  }
  const target = requireMailboxRow(sql, accountId, to);
  if (rows.length === 0) return { uidValidity: target.uid_validity, sourceUids: [], destinationUids: [] };
  if (mode === "copy") {
    checkQuota(
      sql,
      accountId,
      rows.length,
      rows.reduce((sum, row) => sum + row.size, 0),
    );
  }
  const modSeq = scope.nextModSeq(accountId);
  const destinationUids = insertEntries(
    sql,
    accountId,
    target,
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
    removeEntries(sql, accountId, from, sourceUids, modSeq);
    scope.emit({ accountId, mailboxId: from, modSeq });
  }
  scope.emit({ accountId, mailboxId: to, modSeq });
  return { uidValidity: target.uid_validity, sourceUids, destinationUids };
}

// ChangeLog on PostgreSQL: derived from the modseq columns and the tombstones (no separate log table),
// so catching up from any modseq costs one indexed range scan; each answer reads one snapshot.
import type { AccountId, EmailId, MailboxId, ModSeq, Uid } from "../../kit/ids.js";
import type { AccountChanges, ChangeLog, MailboxChanges, MailboxEntry } from "../mail-store.js";
import type { PgDatabase } from "./pg-database.js";
import { type EntryRow, toMailboxEntry } from "./pg-rows.js";

/** A row of mailboxChangesSince: the mailbox's counters and an entry or tombstone (all null for none). */
type ChangeRow = { uid_validity: number; mailbox_highest_modseq: number; mailbox_uid_next: number } & {
  [K in keyof EntryRow]: EntryRow[K] | null;
} & { is_tombstone: boolean | null };

export class PgChangeLog implements ChangeLog {
  constructor(readonly sql: PgDatabase) {}

  /**
   * One statement, so one snapshot and one round trip (sessions ask this after every notification):
   * the mailbox row joined to its changed entries and its tombstones since the modseq, tombstones
   * flagged by `is_tombstone`. The mailbox alone comes back as one row with null entry columns.
   */
  async mailboxChangesSince(
    mailboxId: MailboxId,
    uidValidity: number,
    sinceModSeq: ModSeq,
  ): Promise<MailboxChanges> {
    const rows = await this.sql.rows<ChangeRow>(
      `SELECT m.uid_validity, m.highest_modseq AS mailbox_highest_modseq, m.uid_next AS mailbox_uid_next, c.*
       FROM mailboxes m LEFT JOIN LATERAL (
         SELECT false AS is_tombstone, e.*, em.blob_hash, em.crlf_size FROM entries e
         JOIN emails em ON em.id = e.email_id WHERE e.mailbox_id = m.id AND e.modseq > $2
         UNION ALL
         SELECT true, t.mailbox_id, t.uid, t.account_id, t.modseq, 0, '', t.email_id, '', 0, 0, 0, NULL, NULL
         FROM entry_tombstones t WHERE t.mailbox_id = m.id AND t.modseq > $2
       ) c ON true
       WHERE m.id = $1 ORDER BY c.uid`,
      [mailboxId, sinceModSeq],
    );
    const mailbox = rows[0];
    if (!mailbox || mailbox.uid_validity !== uidValidity) {
      return { entries: [], expungedUids: [], highestModSeq: sinceModSeq, uidNext: 1 as Uid, isGone: true };
    }
    const entries: MailboxEntry[] = [];
    const expungedUids: Uid[] = [];
    for (const row of rows) {
      if (row.uid === null) continue;
      if (row.is_tombstone) expungedUids.push(row.uid as Uid);
      else entries.push(toMailboxEntry(row as EntryRow));
    }
    return {
      entries,
      expungedUids,
      highestModSeq: mailbox.mailbox_highest_modseq as ModSeq,
      uidNext: mailbox.mailbox_uid_next as Uid,
      isGone: false,
    };
  }

  async accountChangesSince(accountId: AccountId, sinceModSeq: ModSeq): Promise<AccountChanges> {
    return this.sql.read(async (sql): Promise<AccountChanges> => {
      const highest = await sql.one<{ highest_modseq: number }>(
        "SELECT highest_modseq FROM accounts WHERE id = $1",
        [accountId],
      );
      const ids = async (text: string) =>
        (await sql.rows<{ id: string }>(text, [accountId, sinceModSeq])).map((row) => row.id);
      const changedMailboxIds = new Set(
        await ids("SELECT id FROM mailboxes WHERE account_id = $1 AND GREATEST(modseq, highest_modseq) > $2"),
      );
      const destroyedMailboxIds = (
        await ids(
          "SELECT DISTINCT mailbox_id AS id FROM mailbox_tombstones WHERE account_id = $1 AND modseq > $2",
        )
      ).filter((id) => !changedMailboxIds.has(id));
      const destroyedEmailIds = await ids(
        "SELECT DISTINCT email_id AS id FROM email_tombstones WHERE account_id = $1 AND modseq > $2",
      );
      const destroyed = new Set(destroyedEmailIds);
      const changedEmailIds = new Set([
        ...(await ids("SELECT DISTINCT email_id AS id FROM entries WHERE account_id = $1 AND modseq > $2")),
        ...(await ids(
          "SELECT DISTINCT email_id AS id FROM entry_tombstones WHERE account_id = $1 AND modseq > $2",
        )),
      ]);
      for (const id of destroyed) changedEmailIds.delete(id);
      return {
        highestModSeq: (highest?.highest_modseq ?? 0) as ModSeq,
        changedMailboxIds: [...changedMailboxIds] as MailboxId[],
        destroyedMailboxIds: destroyedMailboxIds as MailboxId[],
        changedEmailIds: [...changedEmailIds] as EmailId[],
        destroyedEmailIds: destroyedEmailIds as EmailId[],
      };
    });
  }
}

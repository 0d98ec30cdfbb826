// ChangeLog on PostgreSQL: derived from the modseq columns and the tombstones (no separate log table),
// so catching up from any modseq costs one indexed range scan; each answer reads one snapshot.
import type { AccountId, MailboxId, ModSeq, Uid } from "../../kit/ids.js";
import type {
  AccountChanges,
  ChangeLog,
  MailboxChange,
  MailboxChanges,
  MailboxEntry,
} from "../mail-store.js";
import {
  type EmailChangeRow,
  type MailboxChangeRow,
  toEmailChange,
  toMailboxChange,
} from "../record-rows.js";
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
         -- Tombstones fill every column of e.* (pop3_uidl last), then blob_hash and crlf_size.
         SELECT true, t.mailbox_id, t.uid, t.account_id, t.modseq, 0, '', t.email_id, '', 0, 0, 0, NULL, NULL, NULL
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
      const mailboxes = new Map<string, MailboxChange>();
      const mailboxRows = await sql.rows<MailboxChangeRow>(
        `SELECT id, created_modseq, GREATEST(modseq, highest_modseq) AS last_modseq,
                modseq AS properties_modseq, false AS is_destroyed
         FROM mailboxes WHERE account_id = $1 AND GREATEST(modseq, highest_modseq) > $2
         UNION ALL
         SELECT mailbox_id, max(created_modseq), max(modseq), max(modseq), true
         FROM mailbox_tombstones WHERE account_id = $1 AND modseq > $2 GROUP BY mailbox_id`,
        [accountId, sinceModSeq],
      );
      for (const row of mailboxRows) {
        // A live mailbox wins over an older tombstone of the same id.
        if (row.is_destroyed && mailboxes.has(row.id)) continue;
        mailboxes.set(row.id, toMailboxChange(row));
      }
      const emails = await sql.rows<EmailChangeRow>(
        `WITH touched(id, modseq) AS (
           SELECT email_id, modseq FROM entries WHERE account_id = $1 AND modseq > $2
           UNION ALL SELECT email_id, modseq FROM entry_tombstones WHERE account_id = $1 AND modseq > $2
           UNION ALL SELECT email_id, modseq FROM email_tombstones WHERE account_id = $1 AND modseq > $2
         ), changed AS (SELECT id, max(modseq) AS last_modseq FROM touched GROUP BY id)
         SELECT c.id, c.last_modseq,
                coalesce(e.created_modseq, t.created_modseq, 0) AS created_modseq,
                coalesce(e.thread_id, t.thread_id) AS thread_id,
                (e.id IS NULL OR e.destroyed_at IS NOT NULL) AS is_destroyed
         FROM changed c LEFT JOIN emails e ON e.id = c.id
         LEFT JOIN email_tombstones t ON t.email_id = c.id AND e.id IS NULL`,
        [accountId, sinceModSeq],
      );
      return {
        highestModSeq: (highest?.highest_modseq ?? 0) as ModSeq,
        mailboxes: [...mailboxes.values()],
        emails: emails.map(toEmailChange),
      };
    });
  }
}

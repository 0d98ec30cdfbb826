// ChangeLog on SQLite: derived from the modseq columns and the tombstones (no separate log table),
// so catching up from any modseq costs one indexed range scan.
import type { AccountId, MailboxId, ModSeq, Uid } from "../../kit/ids.js";
import type { AccountChanges, ChangeLog, MailboxChange, MailboxChanges } from "../mail-store.js";
import {
  type EmailChangeRow,
  ENTRY_WITH_BLOB,
  type EntryRow,
  type MailboxChangeRow,
  type MailboxRow,
  toEmailChange,
  toMailboxChange,
  toMailboxEntry,
} from "../record-rows.js";
import type { SqliteDatabase } from "./sqlite-database.js";

export class SqliteChangeLog implements ChangeLog {
  constructor(readonly sql: SqliteDatabase) {}

  async mailboxChangesSince(
    mailboxId: MailboxId,
    uidValidity: number,
    sinceModSeq: ModSeq,
  ): Promise<MailboxChanges> {
    // One read transaction, so entries, tombstones and the mailbox row agree with each other.
    return this.sql.db.transaction((): MailboxChanges => {
      const mailbox = this.sql.stmt<MailboxRow>("SELECT * FROM mailboxes WHERE id = ?").get(mailboxId);
      if (!mailbox || mailbox.uid_validity !== uidValidity) {
        return { entries: [], expungedUids: [], highestModSeq: sinceModSeq, uidNext: 1 as Uid, isGone: true };
      }
      const entries = this.sql
        .stmt<EntryRow>(`SELECT ${ENTRY_WITH_BLOB} WHERE e.mailbox_id = ? AND e.modseq > ? ORDER BY e.uid`)
        .all(mailboxId, sinceModSeq)
        .map(toMailboxEntry);
      const expungedUids = this.sql
        .stmt<{ uid: number }>(
          "SELECT uid FROM entry_tombstones WHERE mailbox_id = ? AND modseq > ? ORDER BY uid",
        )
        .all(mailboxId, sinceModSeq)
        .map((row) => row.uid as Uid);
      return {
        entries,
        expungedUids,
        highestModSeq: mailbox.highest_modseq as ModSeq,
        uidNext: mailbox.uid_next as Uid,
        isGone: false,
      };
    })();
  }

  async accountChangesSince(accountId: AccountId, sinceModSeq: ModSeq): Promise<AccountChanges> {
    return this.sql.db.transaction((): AccountChanges => {
      const highest = this.sql
        .stmt<{ highest_modseq: number }>("SELECT highest_modseq FROM accounts WHERE id = ?")
        .get(accountId);
      const mailboxes = new Map<string, MailboxChange>();
      for (const row of this.sql
        .stmt<MailboxChangeRow>(
          `SELECT id, created_modseq, max(modseq, highest_modseq) AS last_modseq, modseq AS properties_modseq,
                  0 AS is_destroyed
           FROM mailboxes WHERE account_id = @account AND max(modseq, highest_modseq) > @since
           UNION ALL
           SELECT mailbox_id, max(created_modseq), max(modseq), max(modseq), 1
           FROM mailbox_tombstones WHERE account_id = @account AND modseq > @since GROUP BY mailbox_id`,
        )
        .all({ account: accountId, since: sinceModSeq })) {
        // A live mailbox wins over an older tombstone of the same id.
        if (row.is_destroyed && mailboxes.has(row.id)) continue;
        mailboxes.set(row.id, toMailboxChange(row));
      }
      const emails = this.sql
        .stmt<EmailChangeRow>(
          `WITH touched(id, modseq) AS (
             SELECT email_id, modseq FROM entries WHERE account_id = @account AND modseq > @since
             UNION ALL SELECT email_id, modseq FROM entry_tombstones WHERE account_id = @account AND modseq > @since
             UNION ALL SELECT email_id, modseq FROM email_tombstones WHERE account_id = @account AND modseq > @since
           ), changed AS (SELECT id, max(modseq) AS last_modseq FROM touched GROUP BY id)
           SELECT c.id, c.last_modseq,
                  coalesce(e.created_modseq, t.created_modseq, 0) AS created_modseq,
                  coalesce(e.thread_id, t.thread_id) AS thread_id,
                  (e.id IS NULL OR e.destroyed_at IS NOT NULL) AS is_destroyed
           FROM changed c LEFT JOIN emails e ON e.id = c.id
           LEFT JOIN email_tombstones t ON t.email_id = c.id AND e.id IS NULL`,
        )
        .all({ account: accountId, since: sinceModSeq })
        .map(toEmailChange);
      return {
        highestModSeq: (highest?.highest_modseq ?? 0) as ModSeq,
        mailboxes: [...mailboxes.values()],
        emails,
      };
    })();
  }
}

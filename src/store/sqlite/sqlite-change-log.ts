// ChangeLog on SQLite: derived from the modseq columns and the tombstones (no separate log table),
// so catching up from any modseq costs one indexed range scan.
import type { AccountId, EmailId, MailboxId, ModSeq, Uid } from "../../kit/ids.js";
import type { AccountChanges, ChangeLog, MailboxChanges } from "../mail-store.js";
import { ENTRY_WITH_BLOB, type EntryRow, type MailboxRow, toMailboxEntry } from "../record-rows.js";
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
      const ids = (sql: string) =>
        this.sql
          .stmt<{ id: string }>(sql)
          .all(accountId, sinceModSeq)
          .map((row) => row.id);
      const changedMailboxIds = new Set(
        ids("SELECT id FROM mailboxes WHERE account_id = ? AND max(modseq, highest_modseq) > ?"),
      );
      const destroyedMailboxIds = ids(
        "SELECT DISTINCT mailbox_id AS id FROM mailbox_tombstones WHERE account_id = ? AND modseq > ?",
      ).filter((id) => !changedMailboxIds.has(id));
      const destroyedEmailIds = ids(
        "SELECT DISTINCT email_id AS id FROM email_tombstones WHERE account_id = ? AND modseq > ?",
      );
      const destroyed = new Set(destroyedEmailIds);
      const changedEmailIds = new Set([
        ...ids("SELECT DISTINCT email_id AS id FROM entries WHERE account_id = ? AND modseq > ?"),
        ...ids("SELECT DISTINCT email_id AS id FROM entry_tombstones WHERE account_id = ? AND modseq > ?"),
      ]);
      for (const id of destroyed) changedEmailIds.delete(id);
      return {
        highestModSeq: (highest?.highest_modseq ?? 0) as ModSeq,
        changedMailboxIds: [...changedMailboxIds] as MailboxId[],
        destroyedMailboxIds: destroyedMailboxIds as MailboxId[],
        changedEmailIds: [...changedEmailIds] as EmailId[],
        destroyedEmailIds: destroyedEmailIds as EmailId[],
      };
    })();
  }
}

// ChangeLog on PostgreSQL: derived from the modseq columns and the tombstones (no separate log table),
// so catching up from any modseq costs one indexed range scan; each answer reads one snapshot.
import type { AccountId, EmailId, MailboxId, ModSeq, Uid } from "../../kit/ids.js";
import type { AccountChanges, ChangeLog, MailboxChanges } from "../mail-store.js";
import type { PgDatabase } from "./pg-database.js";
import { type EntryRow, type MailboxRow, toMailboxEntry } from "./pg-rows.js";

export class PgChangeLog implements ChangeLog {
  constructor(readonly sql: PgDatabase) {}

  async mailboxChangesSince(
    mailboxId: MailboxId,
    uidValidity: number,
    sinceModSeq: ModSeq,
  ): Promise<MailboxChanges> {
    return this.sql.read(async (sql): Promise<MailboxChanges> => {
      const mailbox = await sql.one<MailboxRow>("SELECT * FROM mailboxes WHERE id = $1", [mailboxId]);
      if (!mailbox || mailbox.uid_validity !== uidValidity) {
        return { entries: [], expungedUids: [], highestModSeq: sinceModSeq, uidNext: 1 as Uid, isGone: true };
      }
      const entries = (
        await sql.rows<EntryRow>("SELECT * FROM entries WHERE mailbox_id = $1 AND modseq > $2 ORDER BY uid", [
          mailboxId,
          sinceModSeq,
        ])
      ).map(toMailboxEntry);
      const expungedUids = (
        await sql.rows<{ uid: number }>(
          "SELECT uid FROM entry_tombstones WHERE mailbox_id = $1 AND modseq > $2 ORDER BY uid",
          [mailboxId, sinceModSeq],
        )
      ).map((row) => row.uid as Uid);
      return {
        entries,
        expungedUids,
        highestModSeq: mailbox.highest_modseq as ModSeq,
        uidNext: mailbox.uid_next as Uid,
        isGone: false,
      };
    });
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

// AclRepository on SQLite (RFC 4314): the mailbox_acl rows of migration 13. A change takes the account's
// next modseq as the mailbox's own and is published, so sessions on the mailbox re-check their rights.
import type { AccountId, MailboxId } from "../../kit/ids.js";
import { MailError } from "../../kit/mail-error.js";
import type { AclEntry, AclRepository, MailboxGrant } from "../mail-store.js";
import { type MailboxRow, toMailboxRecord } from "../record-rows.js";
import type { SqliteDatabase } from "./sqlite-database.js";

export class SqliteAcl implements AclRepository {
  constructor(readonly sql: SqliteDatabase) {}

  async list(accountId: AccountId, mailboxId: MailboxId): Promise<AclEntry[]> {
    return this.sql
      .stmt<AclEntry>(
        "SELECT identifier, rights FROM mailbox_acl WHERE mailbox_id = ? AND account_id = ? ORDER BY identifier",
      )
      .all(mailboxId, accountId);
  }

  async set(accountId: AccountId, mailboxId: MailboxId, identifier: string, rights: string): Promise<void> {
    this.sql.write((scope) => {
      const mailbox = this.sql
        .stmt("SELECT 1 FROM mailboxes WHERE id = ? AND account_id = ?")
        .get(mailboxId, accountId);
      if (!mailbox) throw new MailError("nonexistent", "Mailbox does not exist");
      if (rights === "") {
        this.sql
          .stmt("DELETE FROM mailbox_acl WHERE mailbox_id = ? AND identifier = ?")
          .run(mailboxId, identifier);
      } else {
        this.sql
          .stmt(
            `INSERT INTO mailbox_acl (mailbox_id, account_id, identifier, rights) VALUES (?, ?, ?, ?)
             ON CONFLICT (mailbox_id, identifier) DO UPDATE SET rights = excluded.rights`,
          )
          .run(mailboxId, accountId, identifier, rights);
      }
      const modSeq = scope.nextModSeq(accountId);
      this.sql.stmt("UPDATE mailboxes SET modseq = ? WHERE id = ?").run(modSeq, mailboxId);
      scope.emit({ accountId, mailboxId, modSeq });
    });
  }

  async listGrants(identifiers: readonly string[], exceptAccountId: AccountId): Promise<MailboxGrant[]> {
    if (identifiers.length === 0) return [];
    const marks = identifiers.map(() => "?").join(", ");
    const rows = this.sql
      .stmt<MailboxRow & { owner_address: string; acl_identifier: string; acl_rights: string }>(
        `SELECT m.*, a.address AS owner_address, g.identifier AS acl_identifier, g.rights AS acl_rights
         FROM mailbox_acl g JOIN mailboxes m ON m.id = g.mailbox_id JOIN accounts a ON a.id = m.account_id
         WHERE g.identifier IN (${marks}) AND m.account_id <> ?
         ORDER BY a.address, m.name, g.identifier`,
      )
      .all(...identifiers, exceptAccountId);
    return rows.map((row) => ({
      mailbox: toMailboxRecord(row, false),
      ownerAddress: row.owner_address,
      identifier: row.acl_identifier,
      rights: row.acl_rights,
    }));
  }
}

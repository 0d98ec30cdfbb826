// AclRepository on PostgreSQL (RFC 4314): the mailbox_acl rows. A change takes the account's next modseq
// as the mailbox's own and is published (NOTIFY), so sessions on every node re-check their rights.
import type { AccountId, MailboxId } from "../../kit/ids.js";
import { MailError } from "../../kit/mail-error.js";
import type { AclEntry, AclRepository, MailboxGrant } from "../mail-store.js";
import type { PgDatabase } from "./pg-database.js";
import { type MailboxRow, toMailboxRecord } from "./pg-rows.js";

export class PgAcl implements AclRepository {
  constructor(readonly sql: PgDatabase) {}

  async list(accountId: AccountId, mailboxId: MailboxId): Promise<AclEntry[]> {
    return this.sql.rows<AclEntry>(
      "SELECT identifier, rights FROM mailbox_acl WHERE mailbox_id = $1 AND account_id = $2 ORDER BY identifier",
      [mailboxId, accountId],
    );
  }

  async set(accountId: AccountId, mailboxId: MailboxId, identifier: string, rights: string): Promise<void> {
    await this.sql.writeAccount(accountId, async (tx) => {
      const mailbox = await tx.one("SELECT 1 FROM mailboxes WHERE id = $1 AND account_id = $2", [
        mailboxId,
        accountId,
      ]);
      if (!mailbox) throw new MailError("nonexistent", "Mailbox does not exist");
      if (rights === "") {
        await tx.run("DELETE FROM mailbox_acl WHERE mailbox_id = $1 AND identifier = $2", [
          mailboxId,
          identifier,
        ]);
      } else {
        await tx.run(
          `INSERT INTO mailbox_acl (mailbox_id, account_id, identifier, rights) VALUES ($1, $2, $3, $4)
           ON CONFLICT (mailbox_id, identifier) DO UPDATE SET rights = excluded.rights`,
          [mailboxId, accountId, identifier, rights],
        );
      }
      const modSeq = await tx.nextModSeq(accountId);
      await tx.run("UPDATE mailboxes SET modseq = $1 WHERE id = $2", [modSeq, mailboxId]);
      tx.emit({ accountId, mailboxId, modSeq });
    });
  }

  async listGrants(identifiers: readonly string[], exceptAccountId: AccountId): Promise<MailboxGrant[]> {
    if (identifiers.length === 0) return [];
    const rows = await this.sql.rows<
      MailboxRow & { owner_address: string; acl_identifier: string; acl_rights: string }
    >(
      `SELECT m.*, a.address AS owner_address, g.identifier AS acl_identifier, g.rights AS acl_rights
       FROM mailbox_acl g JOIN mailboxes m ON m.id = g.mailbox_id JOIN accounts a ON a.id = m.account_id
       WHERE g.identifier = ANY($1::text[]) AND m.account_id <> $2
       ORDER BY a.address, m.name, g.identifier`,
      [identifiers, exceptAccountId],
    );
    return rows.map((row) => ({
      mailbox: toMailboxRecord(row, false),
      ownerAddress: row.owner_address,
      identifier: row.acl_identifier,
      rights: row.acl_rights,
    }));
  }
}

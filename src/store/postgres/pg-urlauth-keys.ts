// UrlAuthKeyRepository on PostgreSQL: RFC 4467 mailbox access keys, one per (account, mailbox).
import type { AccountId, MailboxId } from "../../kit/ids.js";
import type { UrlAuthKeyRepository } from "../mail-store.js";
import type { PgDatabase } from "./pg-database.js";

export class PgUrlAuthKeys implements UrlAuthKeyRepository {
  constructor(readonly sql: PgDatabase) {}

  async getOrCreateUrlAuthKey(
    accountId: AccountId,
    mailboxId: MailboxId,
    candidate: Buffer,
  ): Promise<Buffer> {
    // One statement, so two nodes making the first key at once both get the one that was stored (the
    // no-op update makes RETURNING yield the existing row).
    const row = await this.sql.one<{ key: Buffer }>(
      `INSERT INTO urlauth_keys (account_id, mailbox_id, key) VALUES ($1, $2, $3)
       ON CONFLICT (account_id, mailbox_id) DO UPDATE SET key = urlauth_keys.key RETURNING key`,
      [accountId, mailboxId, candidate],
    );
    return (row as { key: Buffer }).key;
  }

  async getUrlAuthKey(accountId: AccountId, mailboxId: MailboxId): Promise<Buffer | undefined> {
    const row = await this.sql.one<{ key: Buffer }>(
      "SELECT key FROM urlauth_keys WHERE account_id = $1 AND mailbox_id = $2",
      [accountId, mailboxId],
    );
    return row?.key;
  }

  async resetUrlAuthKeys(accountId: AccountId, mailboxId?: MailboxId): Promise<void> {
    if (mailboxId === undefined) {
      await this.sql.run("DELETE FROM urlauth_keys WHERE account_id = $1", [accountId]);
    } else {
      await this.sql.run("DELETE FROM urlauth_keys WHERE account_id = $1 AND mailbox_id = $2", [
        accountId,
        mailboxId,
      ]);
    }
  }
}

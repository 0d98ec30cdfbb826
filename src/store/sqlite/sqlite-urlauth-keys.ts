// UrlAuthKeyRepository on SQLite: RFC 4467 mailbox access keys, one per (account, mailbox).
import type { AccountId, MailboxId } from "../../kit/ids.js";
import type { UrlAuthKeyRepository } from "../mail-store.js";
import type { SqliteDatabase } from "./sqlite-database.js";

export class SqliteUrlAuthKeys implements UrlAuthKeyRepository {
  constructor(readonly sql: SqliteDatabase) {}

  async getOrCreateUrlAuthKey(
    accountId: AccountId,
    mailboxId: MailboxId,
    candidate: Buffer,
  ): Promise<Buffer> {
    return this.sql.write(() => {
      this.sql
        .stmt("INSERT OR IGNORE INTO urlauth_keys (account_id, mailbox_id, key) VALUES (?, ?, ?)")
        .run(accountId, mailboxId, candidate);
      return this.#key(accountId, mailboxId) as Buffer;
    });
  }

  async getUrlAuthKey(accountId: AccountId, mailboxId: MailboxId): Promise<Buffer | undefined> {
    return this.#key(accountId, mailboxId);
  }

  async resetUrlAuthKeys(accountId: AccountId, mailboxId?: MailboxId): Promise<void> {
    this.sql.write(() => {
      if (mailboxId === undefined) {
        this.sql.stmt("DELETE FROM urlauth_keys WHERE account_id = ?").run(accountId);
      } else {
        this.sql
          .stmt("DELETE FROM urlauth_keys WHERE account_id = ? AND mailbox_id = ?")
          .run(accountId, mailboxId);
      }
    });
  }

  #key(accountId: AccountId, mailboxId: MailboxId): Buffer | undefined {
    return this.sql
      .stmt<{ key: Buffer }>("SELECT key FROM urlauth_keys WHERE account_id = ? AND mailbox_id = ?")
      .get(accountId, mailboxId)?.key;
  }
}

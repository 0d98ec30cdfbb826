// AccountRepository on SQLite: accounts, their INBOX, quota limits; deletion removes everything.
import { type AccountId, newObjectId } from "../../kit/ids.js";
import { MailError } from "../../kit/mail-error.js";
import type { AccountRecord, AccountRepository, NewAccount, QuotaLimits } from "../mail-store.js";
import {
  ACCOUNT_MAIL_TABLES,
  type AccountRow,
  addressTaken,
  EMAIL_DERIVED_TABLES,
  noAccount,
  toAccountRecord,
} from "../record-rows.js";
import type { SqliteDatabase } from "./sqlite-database.js";
import { nextUidValidity } from "./uid-validity.js";

export class SqliteAccounts implements AccountRepository {
  constructor(readonly sql: SqliteDatabase) {}

  async create(input: NewAccount): Promise<AccountRecord> {
    const address = input.address.toLowerCase();
    return this.sql.write((scope) => {
      const existing = this.sql.stmt("SELECT 1 FROM accounts WHERE address = ?").get(address);
      if (existing) throw new MailError("alreadyExists", `Account ${address} already exists`);
      const info = this.sql
        .stmt(
          `INSERT INTO accounts (address, password_hash, quota_bytes, quota_messages, created_at)
           VALUES (?, ?, ?, ?, ?)`,
        )
        .run(address, input.passwordHash, input.quota.storageBytes, input.quota.messages, Date.now());
      const accountId = Number(info.lastInsertRowid) as AccountId;
      const modSeq = scope.nextModSeq(accountId);
      const mailboxId = newObjectId("M");
      this.sql
        .stmt(
          `INSERT INTO mailboxes (id, account_id, name, uid_validity, highest_modseq, modseq, created_modseq)
           VALUES (?, ?, 'INBOX', ?, ?, ?, ?)`,
        )
        .run(mailboxId, accountId, nextUidValidity(this.sql, accountId), modSeq, modSeq, modSeq);
      this.sql.stmt("INSERT INTO subscriptions (account_id, name) VALUES (?, 'INBOX')").run(accountId);
      return this.#require(accountId);
    });
  }

  async get(id: AccountId): Promise<AccountRecord | undefined> {
    const row = this.sql.stmt("SELECT * FROM accounts WHERE id = ?").get(id) as AccountRow | undefined;
    return row && toAccountRecord(row);
  }

  async findByAddress(address: string): Promise<AccountRecord | undefined> {
    const row = this.sql.stmt("SELECT * FROM accounts WHERE address = ?").get(address.toLowerCase()) as
      | AccountRow
      | undefined;
    return row && toAccountRecord(row);
  }

  async list(): Promise<AccountRecord[]> {
    const rows = this.sql.stmt("SELECT * FROM accounts ORDER BY address").all() as AccountRow[];
    return rows.map(toAccountRecord);
  }

  async setPasswordHash(id: AccountId, passwordHash: string): Promise<void> {
    this.sql.write(() => {
      const info = this.sql.stmt("UPDATE accounts SET password_hash = ? WHERE id = ?").run(passwordHash, id);
      if (info.changes === 0) throw noAccount(id);
    });
  }

  async setQuota(id: AccountId, quota: QuotaLimits): Promise<void> {
    this.sql.write(() => {
      const info = this.sql
        .stmt("UPDATE accounts SET quota_bytes = ?, quota_messages = ? WHERE id = ?")
        .run(quota.storageBytes, quota.messages, id);
      if (info.changes === 0) throw noAccount(id);
    });
  }

  async rename(id: AccountId, newAddress: string): Promise<AccountRecord> {
    const address = newAddress.toLowerCase();
    return this.sql.write(() => {
      const account = this.sql.stmt<{ address: string }>("SELECT address FROM accounts WHERE id = ?").get(id);
      if (!account) throw noAccount(id);
      const taken =
        this.sql.stmt("SELECT 1 FROM accounts WHERE address = ?").get(address) ??
        this.sql.stmt("SELECT 1 FROM alias_targets WHERE address = ?").get(address);
      if (taken) throw addressTaken(address);
      const old = account.address;
      this.sql.stmt("UPDATE accounts SET address = ? WHERE id = ?").run(address, id);
      // An alias that named both addresses keeps one target (the primary key is (address, target)).
      this.sql
        .stmt(
          "DELETE FROM alias_targets WHERE target = ? AND address IN (SELECT address FROM alias_targets WHERE target = ?)",
        )
        .run(old, address);
      this.sql.stmt("UPDATE alias_targets SET target = ? WHERE target = ?").run(address, old);
      this.sql.stmt("UPDATE domains SET catch_all = ? WHERE catch_all = ?").run(address, old);
      this.sql
        .stmt(
          "DELETE FROM mailbox_acl WHERE identifier = ? AND mailbox_id IN (SELECT mailbox_id FROM mailbox_acl WHERE identifier = ?)",
        )
        .run(old, address);
      this.sql.stmt("UPDATE mailbox_acl SET identifier = ? WHERE identifier = ?").run(address, old);
      return this.#require(id);
    });
  }

  async delete(id: AccountId): Promise<void> {
    this.sql.write(() => {
      const account = this.sql.stmt<{ address: string }>("SELECT address FROM accounts WHERE id = ?").get(id);
      if (!account) throw noAccount(id);
      // Grants to this address go too: an account created later with it must not inherit them.
      this.sql.stmt("DELETE FROM mailbox_acl WHERE identifier = ?").run(account.address);
      for (const table of EMAIL_DERIVED_TABLES) {
        this.sql
          .stmt(`DELETE FROM ${table} WHERE email_id IN (SELECT id FROM emails WHERE account_id = ?)`)
          .run(id);
      }
      for (const table of ACCOUNT_MAIL_TABLES) {
        this.sql.stmt(`DELETE FROM ${table} WHERE account_id = ?`).run(id);
      }
      this.sql.stmt("DELETE FROM accounts WHERE id = ?").run(id);
    });
  }

  #require(id: AccountId): AccountRecord {
    const row = this.sql.stmt("SELECT * FROM accounts WHERE id = ?").get(id) as AccountRow | undefined;
    if (!row) throw noAccount(id);
    return toAccountRecord(row);
  }
}

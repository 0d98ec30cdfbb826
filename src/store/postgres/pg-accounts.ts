// AccountRepository on PostgreSQL: accounts, their INBOX, quota limits; deletion removes everything.
import { type AccountId, newObjectId } from "../../kit/ids.js";
import { MailError } from "../../kit/mail-error.js";
import type { AccountRecord, AccountRepository, NewAccount, QuotaLimits } from "../mail-store.js";
import { ACCOUNT_MAIL_TABLES, addressTaken, EMAIL_DERIVED_TABLES, noAccount } from "../record-rows.js";
import { isPgError, PG_UNIQUE_VIOLATION, type PgDatabase } from "./pg-database.js";
import { type AccountRow, toAccountRecord } from "./pg-rows.js";
import { nextUidValidity } from "./pg-uid-validity.js";

export class PgAccounts implements AccountRepository {
  constructor(readonly sql: PgDatabase) {}

  async create(input: NewAccount): Promise<AccountRecord> {
    const address = input.address.toLowerCase();
    try {
      return await this.sql.write(async (tx) => {
        const existing = await tx.one("SELECT 1 FROM accounts WHERE address = $1", [address]);
        if (existing) throw alreadyExists(address);
        const inserted = await tx.one<{ id: number }>(
          `INSERT INTO accounts (address, password_hash, quota_bytes, quota_messages, created_at)
           VALUES ($1, $2, $3, $4, $5) RETURNING id`,
          [address, input.passwordHash, input.quota.storageBytes, input.quota.messages, Date.now()],
        );
        const accountId = inserted?.id as AccountId;
        const modSeq = await tx.nextModSeq(accountId);
        await tx.run(
          `INSERT INTO mailboxes (id, account_id, name, uid_validity, highest_modseq, modseq, created_modseq)
           VALUES ($1, $2, 'INBOX', $3, $4, $4, $4)`,
          [newObjectId("M"), accountId, await nextUidValidity(tx, accountId), modSeq],
        );
        await tx.run("INSERT INTO subscriptions (account_id, name) VALUES ($1, 'INBOX')", [accountId]);
        const row = await tx.one<AccountRow>("SELECT * FROM accounts WHERE id = $1", [accountId]);
        return toAccountRecord(row as AccountRow);
      });
    } catch (error) {
      // Two nodes creating the same address at once: the unique index decides.
      if (isPgError(error, PG_UNIQUE_VIOLATION)) throw alreadyExists(address);
      throw error;
    }
  }

  async get(id: AccountId): Promise<AccountRecord | undefined> {
    const row = await this.sql.one<AccountRow>("SELECT * FROM accounts WHERE id = $1", [id]);
    return row && toAccountRecord(row);
  }

  async findByAddress(address: string): Promise<AccountRecord | undefined> {
    const row = await this.sql.one<AccountRow>("SELECT * FROM accounts WHERE address = $1", [
      address.toLowerCase(),
    ]);
    return row && toAccountRecord(row);
  }

  async list(): Promise<AccountRecord[]> {
    const rows = await this.sql.rows<AccountRow>("SELECT * FROM accounts ORDER BY address");
    return rows.map(toAccountRecord);
  }

  async setPasswordHash(id: AccountId, passwordHash: string): Promise<void> {
    const changed = await this.sql.run("UPDATE accounts SET password_hash = $1 WHERE id = $2", [
      passwordHash,
      id,
    ]);
    if (changed === 0) throw noAccount(id);
  }

  async setQuota(id: AccountId, quota: QuotaLimits): Promise<void> {
    const changed = await this.sql.run(
      "UPDATE accounts SET quota_bytes = $1, quota_messages = $2 WHERE id = $3",
      [quota.storageBytes, quota.messages, id],
    );
    if (changed === 0) throw noAccount(id);
  }

  async rename(id: AccountId, newAddress: string): Promise<AccountRecord> {
    const address = newAddress.toLowerCase();
    try {
      return await this.sql.writeAccount(id, async (tx, account) => {
        const taken =
          (await tx.one("SELECT 1 FROM accounts WHERE address = $1", [address])) ??
          (await tx.one("SELECT 1 FROM alias_targets WHERE address = $1", [address]));
        if (taken) throw addressTaken(address);
        const old = account.address;
        const renamed = await tx.one<AccountRow>(
          "UPDATE accounts SET address = $1 WHERE id = $2 RETURNING *",
          [address, id],
        );
        // An alias that named both addresses keeps one target (the primary key is (address, target)).
        await tx.run(
          "DELETE FROM alias_targets WHERE target = $1 AND address IN (SELECT address FROM alias_targets WHERE target = $2)",
          [old, address],
        );
        await tx.run("UPDATE alias_targets SET target = $1 WHERE target = $2", [address, old]);
        await tx.run("UPDATE domains SET catch_all = $1 WHERE catch_all = $2", [address, old]);
        await tx.run(
          "DELETE FROM mailbox_acl WHERE identifier = $1 AND mailbox_id IN (SELECT mailbox_id FROM mailbox_acl WHERE identifier = $2)",
          [old, address],
        );
        await tx.run("UPDATE mailbox_acl SET identifier = $1 WHERE identifier = $2", [address, old]);
        return toAccountRecord(renamed as AccountRow);
      });
    } catch (error) {
      // Two renames to the same address at once: the loser meets the unique index.
      if (isPgError(error, PG_UNIQUE_VIOLATION)) throw addressTaken(address);
      throw error;
    }
  }

  async delete(id: AccountId): Promise<void> {
    await this.sql.writeAccount(id, async (tx, account) => {
      // Grants to this address go too: an account created later with it must not inherit them.
      await tx.run("DELETE FROM mailbox_acl WHERE identifier = $1", [account.address]);
      for (const table of EMAIL_DERIVED_TABLES) {
        await tx.run(`DELETE FROM ${table} WHERE email_id IN (SELECT id FROM emails WHERE account_id = $1)`, [
          id,
        ]);
      }
      for (const table of ACCOUNT_MAIL_TABLES) {
        await tx.run(`DELETE FROM ${table} WHERE account_id = $1`, [id]);
      }
      // Mailboxes, subscriptions and credentials go with the row (ON DELETE CASCADE).
      await tx.run("DELETE FROM accounts WHERE id = $1", [id]);
    });
  }
}

function alreadyExists(address: string): MailError {
  return new MailError("alreadyExists", `Account ${address} already exists`);
}

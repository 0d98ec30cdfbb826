// SieveScriptRepository on SQLite: the sieve_scripts and sieve_auto_replies rows of migration 20. Each
// write runs in the database's one write transaction, so limits and the one-active rule hold under
// concurrent writers.
import type { AccountId } from "../../kit/ids.js";
import type {
  SieveScriptLimits,
  SieveScriptPutOutcome,
  SieveScriptRecord,
  SieveScriptRepository,
} from "../mail-store.js";
import {
  SIEVE_SCRIPT_COLUMNS,
  type SieveScriptRow,
  type SieveTotalsRow,
  sievePutRefusal,
  toSieveScriptRecord,
} from "../sieve-rows.js";
import type { SqliteDatabase } from "./sqlite-database.js";

export class SqliteSieve implements SieveScriptRepository {
  constructor(readonly sql: SqliteDatabase) {}

  async list(accountId: AccountId): Promise<SieveScriptRecord[]> {
    return this.sql
      .stmt<SieveScriptRow>(
        `SELECT ${SIEVE_SCRIPT_COLUMNS} FROM sieve_scripts WHERE account_id = ? ORDER BY name`,
      )
      .all(accountId)
      .map(toSieveScriptRecord);
  }

  async get(accountId: AccountId, name: string): Promise<SieveScriptRecord | undefined> {
    const row = this.sql
      .stmt<SieveScriptRow>(
        `SELECT ${SIEVE_SCRIPT_COLUMNS} FROM sieve_scripts WHERE account_id = ? AND name = ?`,
      )
      .get(accountId, name);
    return row === undefined ? undefined : toSieveScriptRecord(row);
  }

  async getActive(accountId: AccountId): Promise<SieveScriptRecord | undefined> {
    const row = this.sql
      .stmt<SieveScriptRow>(
        `SELECT ${SIEVE_SCRIPT_COLUMNS} FROM sieve_scripts WHERE account_id = ? AND is_active = 1`,
      )
      .get(accountId);
    return row === undefined ? undefined : toSieveScriptRecord(row);
  }

  async put(
    accountId: AccountId,
    name: string,
    content: string,
    limits: SieveScriptLimits,
  ): Promise<SieveScriptPutOutcome> {
    const size = Buffer.byteLength(content, "utf8");
    return this.sql.write(() => {
      const totals = this.sql
        .stmt<SieveTotalsRow>(
          "SELECT COUNT(*) AS count, SUM(size) AS bytes, SUM(CASE WHEN name = ? THEN size END) AS mine FROM sieve_scripts WHERE account_id = ?",
        )
        .get(name, accountId);
      const refusal = sievePutRefusal(totals, size, limits);
      if (refusal !== null) return refusal;
      this.sql
        .stmt(
          `INSERT INTO sieve_scripts (account_id, name, content, size, is_active, updated_at) VALUES (?, ?, ?, ?, 0, ?)
           ON CONFLICT (account_id, name) DO UPDATE SET content = excluded.content, size = excluded.size,
             updated_at = excluded.updated_at`,
        )
        .run(accountId, name, content, size, Date.now());
      return "stored";
    });
  }

  async setActive(accountId: AccountId, name: string | null): Promise<boolean> {
    return this.sql.write(() => {
      if (name !== null && !this.#exists(accountId, name)) return false;
      this.sql
        .stmt("UPDATE sieve_scripts SET is_active = 0 WHERE account_id = ? AND is_active = 1")
        .run(accountId);
      if (name !== null) {
        this.sql
          .stmt("UPDATE sieve_scripts SET is_active = 1 WHERE account_id = ? AND name = ?")
          .run(accountId, name);
      }
      return true;
    });
  }

  async rename(
    accountId: AccountId,
    from: string,
    to: string,
  ): Promise<"renamed" | "nonexistent" | "alreadyExists"> {
    return this.sql.write(() => {
      if (!this.#exists(accountId, from)) return "nonexistent";
      if (from === to) return "renamed";
      if (this.#exists(accountId, to)) return "alreadyExists";
      this.sql
        .stmt("UPDATE sieve_scripts SET name = ?, updated_at = ? WHERE account_id = ? AND name = ?")
        .run(to, Date.now(), accountId, from);
      return "renamed";
    });
  }

  async delete(accountId: AccountId, name: string): Promise<"deleted" | "nonexistent" | "active"> {
    return this.sql.write(() => {
      const row = this.sql
        .stmt<{ is_active: number }>("SELECT is_active FROM sieve_scripts WHERE account_id = ? AND name = ?")
        .get(accountId, name);
      if (row === undefined) return "nonexistent";
      if (Number(row.is_active) === 1) return "active";
      this.sql.stmt("DELETE FROM sieve_scripts WHERE account_id = ? AND name = ?").run(accountId, name);
      return "deleted";
    });
  }

  async claimAutoReply(accountId: AccountId, key: string, nowMs: number, periodMs: number): Promise<boolean> {
    return this.sql.write(() => {
      const row = this.sql
        .stmt<{ sent_at: number }>("SELECT sent_at FROM sieve_auto_replies WHERE account_id = ? AND key = ?")
        .get(accountId, key);
      if (row !== undefined && nowMs - Number(row.sent_at) < periodMs) return false;
      this.sql
        .stmt(
          `INSERT INTO sieve_auto_replies (account_id, key, sent_at) VALUES (?, ?, ?)
           ON CONFLICT (account_id, key) DO UPDATE SET sent_at = excluded.sent_at`,
        )
        .run(accountId, key, nowMs);
      return true;
    });
  }

  #exists(accountId: AccountId, name: string): boolean {
    return (
      this.sql.stmt("SELECT 1 FROM sieve_scripts WHERE account_id = ? AND name = ?").get(accountId, name) !==
      undefined
    );
  }
}

// SieveScriptRepository on PostgreSQL: the sieve_scripts and sieve_auto_replies rows. Writes lock the
// account's row first (writeAccount), so limits, the one-active rule and reply de-duplication hold
// across nodes.
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
import type { PgDatabase, Sql } from "./pg-database.js";

async function exists(sql: Sql, accountId: AccountId, name: string): Promise<boolean> {
  return (
    (await sql.one("SELECT 1 FROM sieve_scripts WHERE account_id = $1 AND name = $2", [accountId, name])) !==
    undefined
  );
}

export class PgSieve implements SieveScriptRepository {
  constructor(readonly sql: PgDatabase) {}

  async list(accountId: AccountId): Promise<SieveScriptRecord[]> {
    const rows = await this.sql.rows<SieveScriptRow>(
      `SELECT ${SIEVE_SCRIPT_COLUMNS} FROM sieve_scripts WHERE account_id = $1 ORDER BY name`,
      [accountId],
    );
    return rows.map(toSieveScriptRecord);
  }

  async get(accountId: AccountId, name: string): Promise<SieveScriptRecord | undefined> {
    const row = await this.sql.one<SieveScriptRow>(
      `SELECT ${SIEVE_SCRIPT_COLUMNS} FROM sieve_scripts WHERE account_id = $1 AND name = $2`,
      [accountId, name],
    );
    return row === undefined ? undefined : toSieveScriptRecord(row);
  }

  async getActive(accountId: AccountId): Promise<SieveScriptRecord | undefined> {
    const row = await this.sql.one<SieveScriptRow>(
      `SELECT ${SIEVE_SCRIPT_COLUMNS} FROM sieve_scripts WHERE account_id = $1 AND is_active`,
      [accountId],
    );
    return row === undefined ? undefined : toSieveScriptRecord(row);
  }

  put(
    accountId: AccountId,
    name: string,
    content: string,
    limits: SieveScriptLimits,
  ): Promise<SieveScriptPutOutcome> {
    const size = Buffer.byteLength(content, "utf8");
    return this.sql.writeAccount(accountId, async (tx) => {
      const totals = await tx.one<SieveTotalsRow>(
        "SELECT COUNT(*) AS count, SUM(size) AS bytes, SUM(CASE WHEN name = $1 THEN size END) AS mine FROM sieve_scripts WHERE account_id = $2",
        [name, accountId],
      );
      const refusal = sievePutRefusal(totals, size, limits);
      if (refusal !== null) return refusal;
      await tx.run(
        `INSERT INTO sieve_scripts (account_id, name, content, size, is_active, updated_at) VALUES ($1, $2, $3, $4, false, $5)
         ON CONFLICT (account_id, name) DO UPDATE SET content = EXCLUDED.content, size = EXCLUDED.size,
           updated_at = EXCLUDED.updated_at`,
        [accountId, name, content, size, Date.now()],
      );
      return "stored";
    });
  }

  setActive(accountId: AccountId, name: string | null): Promise<boolean> {
    return this.sql.writeAccount(accountId, async (tx) => {
      if (name !== null && !(await exists(tx, accountId, name))) return false;
      await tx.run("UPDATE sieve_scripts SET is_active = false WHERE account_id = $1 AND is_active", [
        accountId,
      ]);
      if (name !== null) {
        await tx.run("UPDATE sieve_scripts SET is_active = true WHERE account_id = $1 AND name = $2", [
          accountId,
          name,
        ]);
      }
      return true;
    });
  }

  rename(
    accountId: AccountId,
    from: string,
    to: string,
  ): Promise<"renamed" | "nonexistent" | "alreadyExists"> {
    return this.sql.writeAccount(accountId, async (tx) => {
      if (!(await exists(tx, accountId, from))) return "nonexistent";
      if (from === to) return "renamed";
      if (await exists(tx, accountId, to)) return "alreadyExists";
      await tx.run(
        "UPDATE sieve_scripts SET name = $1, updated_at = $2 WHERE account_id = $3 AND name = $4",
        [to, Date.now(), accountId, from],
      );
      return "renamed";
    });
  }

  delete(accountId: AccountId, name: string): Promise<"deleted" | "nonexistent" | "active"> {
    return this.sql.writeAccount(accountId, async (tx) => {
      const row = await tx.one<{ is_active: boolean }>(
        "SELECT is_active FROM sieve_scripts WHERE account_id = $1 AND name = $2",
        [accountId, name],
      );
      if (row === undefined) return "nonexistent";
      if (row.is_active) return "active";
      await tx.run("DELETE FROM sieve_scripts WHERE account_id = $1 AND name = $2", [accountId, name]);
      return "deleted";
    });
  }

  claimAutoReply(accountId: AccountId, key: string, nowMs: number, periodMs: number): Promise<boolean> {
    return this.sql.writeAccount(accountId, async (tx) => {
      const row = await tx.one<{ sent_at: string | number }>(
        "SELECT sent_at FROM sieve_auto_replies WHERE account_id = $1 AND key = $2",
        [accountId, key],
      );
      if (row !== undefined && nowMs - Number(row.sent_at) < periodMs) return false;
      await tx.run(
        `INSERT INTO sieve_auto_replies (account_id, key, sent_at) VALUES ($1, $2, $3)
         ON CONFLICT (account_id, key) DO UPDATE SET sent_at = EXCLUDED.sent_at`,
        [accountId, key, nowMs],
      );
      return true;
    });
  }
}

// CredentialRepository on PostgreSQL: SCRAM keys in account_scram (valid only while their password_hash
// equals the account's) and application passwords in app_passwords; both cascade with the account.
import type { AccountId } from "../../kit/ids.js";
import { MailError } from "../../kit/mail-error.js";
import type {
  AppPasswordRecord,
  CredentialRepository,
  NewAppPassword,
  PasswordCredential,
} from "../mail-store.js";
import { type AppPasswordRow, newAppPasswordId, toAppPasswordRecord } from "../record-rows.js";
import { isPgError, PG_UNIQUE_VIOLATION, type PgDatabase } from "./pg-database.js";

export class PgCredentials implements CredentialRepository {
  constructor(readonly sql: PgDatabase) {}

  async getPassword(accountId: AccountId): Promise<PasswordCredential | undefined> {
    const row = await this.sql.one<{ hash: string; scram: string | null }>(
      `SELECT a.password_hash AS hash, s.scram_sha256 AS scram FROM accounts a
       LEFT JOIN account_scram s ON s.account_id = a.id AND s.password_hash = a.password_hash
       WHERE a.id = $1`,
      [accountId],
    );
    return row && { passwordHash: row.hash, scramSha256: row.scram };
  }

  async setPassword(
    accountId: AccountId,
    credential: PasswordCredential,
    expectedHash?: string,
  ): Promise<boolean> {
    return this.sql.writeAccount(accountId, async (tx, account) => {
      if (expectedHash !== undefined && account.password_hash !== expectedHash) return false;
      await tx.run("UPDATE accounts SET password_hash = $1 WHERE id = $2", [
        credential.passwordHash,
        accountId,
      ]);
      await tx.run("DELETE FROM account_scram WHERE account_id = $1", [accountId]);
      if (credential.scramSha256 !== null) {
        await tx.run(
          "INSERT INTO account_scram (account_id, password_hash, scram_sha256) VALUES ($1, $2, $3)",
          [accountId, credential.passwordHash, credential.scramSha256],
        );
      }
      return true;
    });
  }

  async addAppPassword(accountId: AccountId, input: NewAppPassword): Promise<AppPasswordRecord> {
    try {
      return await this.sql.writeAccount(accountId, async (tx) => {
        const taken = await tx.one("SELECT 1 FROM app_passwords WHERE account_id = $1 AND label = $2", [
          accountId,
          input.label,
        ]);
        if (taken) throw labelTaken(input.label);
        const row = await tx.one<AppPasswordRow>(
          `INSERT INTO app_passwords (id, account_id, label, password_hash, created_at)
           VALUES ($1, $2, $3, $4, $5) RETURNING *`,
          [newAppPasswordId(), accountId, input.label, input.passwordHash, Date.now()],
        );
        return toAppPasswordRecord(row as AppPasswordRow);
      });
    } catch (error) {
      if (isPgError(error, PG_UNIQUE_VIOLATION)) throw labelTaken(input.label);
      throw error;
    }
  }

  async listAppPasswords(accountId: AccountId): Promise<AppPasswordRecord[]> {
    const rows = await this.sql.rows<AppPasswordRow>(
      "SELECT * FROM app_passwords WHERE account_id = $1 ORDER BY created_at, id",
      [accountId],
    );
    return rows.map(toAppPasswordRecord);
  }

  async revokeAppPassword(accountId: AccountId, id: string): Promise<void> {
    const removed = await this.sql.run("DELETE FROM app_passwords WHERE account_id = $1 AND id = $2", [
      accountId,
      id,
    ]);
    if (removed === 0) throw new MailError("nonexistent", `No app password ${id}`);
  }

  async touchAppPassword(accountId: AccountId, id: string, atMs: number): Promise<void> {
    await this.sql.run("UPDATE app_passwords SET last_used_at = $1 WHERE account_id = $2 AND id = $3", [
      atMs,
      accountId,
      id,
    ]);
  }
}

function labelTaken(label: string): MailError {
  return new MailError("alreadyExists", `An app password labelled "${label}" exists`);
}

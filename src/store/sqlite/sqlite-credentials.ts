// CredentialRepository on SQLite: SCRAM keys in account_scram (valid only while their password_hash
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
import type { SqliteDatabase } from "./sqlite-database.js";

export class SqliteCredentials implements CredentialRepository {
  constructor(readonly sql: SqliteDatabase) {}

  async getPassword(accountId: AccountId): Promise<PasswordCredential | undefined> {
    const row = this.sql
      .stmt(
        `SELECT a.password_hash AS hash, s.scram_sha256 AS scram FROM accounts a
         LEFT JOIN account_scram s ON s.account_id = a.id AND s.password_hash = a.password_hash
         WHERE a.id = ?`,
      )
      .get(accountId) as { hash: string; scram: string | null } | undefined;
    return row && { passwordHash: row.hash, scramSha256: row.scram };
  }

  async setPassword(
    accountId: AccountId,
    credential: PasswordCredential,
    expectedHash?: string,
  ): Promise<boolean> {
    return this.sql.write(() => {
      const row = this.sql.stmt("SELECT password_hash FROM accounts WHERE id = ?").get(accountId) as
        | { password_hash: string }
        | undefined;
      if (!row) throw noAccount(accountId);
      if (expectedHash !== undefined && row.password_hash !== expectedHash) return false;
      this.sql
        .stmt("UPDATE accounts SET password_hash = ? WHERE id = ?")
        .run(credential.passwordHash, accountId);
      this.sql.stmt("DELETE FROM account_scram WHERE account_id = ?").run(accountId);
      if (credential.scramSha256 !== null) {
        this.sql
          .stmt("INSERT INTO account_scram (account_id, password_hash, scram_sha256) VALUES (?, ?, ?)")
          .run(accountId, credential.passwordHash, credential.scramSha256);
      }
      return true;
    });
  }

  async addAppPassword(accountId: AccountId, input: NewAppPassword): Promise<AppPasswordRecord> {
    return this.sql.write(() => {
      if (!this.sql.stmt("SELECT 1 FROM accounts WHERE id = ?").get(accountId)) throw noAccount(accountId);
      const taken = this.sql
        .stmt("SELECT 1 FROM app_passwords WHERE account_id = ? AND label = ?")
        .get(accountId, input.label);
      if (taken) throw new MailError("alreadyExists", `An app password labelled "${input.label}" exists`);
      const id = newAppPasswordId();
      this.sql
        .stmt(
          `INSERT INTO app_passwords (id, account_id, label, password_hash, created_at)
           VALUES (?, ?, ?, ?, ?)`,
        )
        .run(id, accountId, input.label, input.passwordHash, Date.now());
      return toAppPasswordRecord(
        this.sql.stmt("SELECT * FROM app_passwords WHERE id = ?").get(id) as AppPasswordRow,
      );
    });
  }

  async listAppPasswords(accountId: AccountId): Promise<AppPasswordRecord[]> {
    const rows = this.sql
      .stmt("SELECT * FROM app_passwords WHERE account_id = ? ORDER BY created_at, id")
      .all(accountId) as AppPasswordRow[];
    return rows.map(toAppPasswordRecord);
  }

  async revokeAppPassword(accountId: AccountId, id: string): Promise<void> {
    this.sql.write(() => {
      const info = this.sql
        .stmt("DELETE FROM app_passwords WHERE account_id = ? AND id = ?")
        .run(accountId, id);
      if (info.changes === 0) throw new MailError("nonexistent", `No app password ${id}`);
    });
  }

  async touchAppPassword(accountId: AccountId, id: string, atMs: number): Promise<void> {
    this.sql.write(() => {
      this.sql
        .stmt("UPDATE app_passwords SET last_used_at = ? WHERE account_id = ? AND id = ?")
        .run(atMs, accountId, id);
    });
  }
}

function noAccount(id: AccountId): MailError {
  return new MailError("nonexistent", `No such account (${id})`);
}

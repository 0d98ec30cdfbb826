// DkimKeyRepository on SQLite: one signing key per domain (RFC 6376 §3.6.1), its private half as PEM.
import { MailError } from "../../kit/mail-error.js";
import type { DkimKeyRecord, DkimKeyRepository } from "../mail-store.js";
import { type DkimKeyRow, toDkimKeyRecord } from "../record-rows.js";
import type { SqliteDatabase } from "./sqlite-database.js";

export class SqliteDkimKeys implements DkimKeyRepository {
  constructor(readonly sql: SqliteDatabase) {}

  async saveDkimKey(key: DkimKeyRecord, options: { readonly replace: boolean }): Promise<void> {
    const domain = key.domain.toLowerCase();
    this.sql.write(() => {
      const verb = options.replace ? "INSERT OR REPLACE" : "INSERT OR IGNORE";
      const info = this.sql
        .stmt(
          `${verb} INTO dkim_keys (domain, selector, algorithm, private_key, public_key, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(domain, key.selector, key.algorithm, key.privateKeyPem, key.publicKey, key.createdAtMs);
      if (info.changes === 0) throw new MailError("alreadyExists", `Domain ${domain} already has a DKIM key`);
    });
  }

  async getDkimKey(domain: string): Promise<DkimKeyRecord | undefined> {
    const row = this.sql
      .stmt<DkimKeyRow>("SELECT * FROM dkim_keys WHERE domain = ?")
      .get(domain.toLowerCase());
    return row && toDkimKeyRecord(row);
  }

  async listDkimKeys(): Promise<DkimKeyRecord[]> {
    return this.sql.stmt<DkimKeyRow>("SELECT * FROM dkim_keys ORDER BY domain").all().map(toDkimKeyRecord);
  }

  async deleteDkimKey(domain: string): Promise<void> {
    const name = domain.toLowerCase();
    this.sql.write(() => {
      const info = this.sql.stmt("DELETE FROM dkim_keys WHERE domain = ?").run(name);
      if (info.changes === 0) throw new MailError("nonexistent", `Domain ${name} has no DKIM key`);
    });
  }
}

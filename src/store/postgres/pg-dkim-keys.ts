// DkimKeyRepository on PostgreSQL: one signing key per domain (RFC 6376 §3.6.1), its private half as PEM.
import { MailError } from "../../kit/mail-error.js";
import type { DkimKeyRecord, DkimKeyRepository } from "../mail-store.js";
import { type DkimKeyRow, toDkimKeyRecord } from "../record-rows.js";
import type { PgDatabase } from "./pg-database.js";

export class PgDkimKeys implements DkimKeyRepository {
  constructor(readonly sql: PgDatabase) {}

  async saveDkimKey(key: DkimKeyRecord, options: { readonly replace: boolean }): Promise<void> {
    const domain = key.domain.toLowerCase();
    const onConflict = options.replace
      ? "ON CONFLICT (domain) DO UPDATE SET selector = EXCLUDED.selector, algorithm = EXCLUDED.algorithm, private_key = EXCLUDED.private_key, public_key = EXCLUDED.public_key, created_at = EXCLUDED.created_at"
      : "ON CONFLICT DO NOTHING";
    const changed = await this.sql.run(
      `INSERT INTO dkim_keys (domain, selector, algorithm, private_key, public_key, created_at) VALUES ($1, $2, $3, $4, $5, $6) ${onConflict}`,
      [domain, key.selector, key.algorithm, key.privateKeyPem, key.publicKey, key.createdAtMs],
    );
    if (changed === 0) throw new MailError("alreadyExists", `Domain ${domain} already has a DKIM key`);
  }

  async getDkimKey(domain: string): Promise<DkimKeyRecord | undefined> {
    const row = await this.sql.one<DkimKeyRow>("SELECT * FROM dkim_keys WHERE domain = $1", [
      domain.toLowerCase(),
    ]);
    return row && toDkimKeyRecord(row);
  }

  async listDkimKeys(): Promise<DkimKeyRecord[]> {
    return (await this.sql.rows<DkimKeyRow>("SELECT * FROM dkim_keys ORDER BY domain")).map(toDkimKeyRecord);
  }

  async deleteDkimKey(domain: string): Promise<void> {
    const name = domain.toLowerCase();
    const changed = await this.sql.run("DELETE FROM dkim_keys WHERE domain = $1", [name]);
    if (changed === 0) throw new MailError("nonexistent", `Domain ${name} has no DKIM key`);
  }
}

// UploadRepository on PostgreSQL: the jmap_uploads rows (RFC 8620 §6.1 uploads).
import type { AccountId } from "../../kit/ids.js";
import type { UploadRecord, UploadRepository } from "../mail-store.js";
import { toUploadRecord, type UploadRow } from "../record-rows.js";
import type { PgDatabase } from "./pg-database.js";

export class PgUploads implements UploadRepository {
  constructor(readonly sql: PgDatabase) {}

  async add(record: UploadRecord): Promise<void> {
    await this.sql.run(
      "INSERT INTO jmap_uploads (id, account_id, blob_hash, size, type, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
      [record.id, record.accountId, record.blobHash, record.size, record.type, record.createdAtMs],
    );
  }

  async get(accountId: AccountId, id: string): Promise<UploadRecord | undefined> {
    const row = await this.sql.one<UploadRow>(
      "SELECT * FROM jmap_uploads WHERE id = $1 AND account_id = $2",
      [id, accountId],
    );
    return row === undefined ? undefined : toUploadRecord(row);
  }

  expire(beforeMs: number): Promise<number> {
    return this.sql.run("DELETE FROM jmap_uploads WHERE created_at < $1", [beforeMs]);
  }
}

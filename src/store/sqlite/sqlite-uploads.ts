// UploadRepository on SQLite: the jmap_uploads rows of migration 16 (RFC 8620 §6.1 uploads).
import type { AccountId } from "../../kit/ids.js";
import type { UploadRecord, UploadRepository } from "../mail-store.js";
import { toUploadRecord, type UploadRow } from "../record-rows.js";
import type { SqliteDatabase } from "./sqlite-database.js";

export class SqliteUploads implements UploadRepository {
  constructor(readonly sql: SqliteDatabase) {}

  async add(record: UploadRecord): Promise<void> {
    this.sql.write(() => {
      this.sql
        .stmt(
          "INSERT INTO jmap_uploads (id, account_id, blob_hash, size, type, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .run(record.id, record.accountId, record.blobHash, record.size, record.type, record.createdAtMs);
    });
  }

  async get(accountId: AccountId, id: string): Promise<UploadRecord | undefined> {
    const row = this.sql
      .stmt<UploadRow>("SELECT * FROM jmap_uploads WHERE id = ? AND account_id = ?")
      .get(id, accountId);
    return row === undefined ? undefined : toUploadRecord(row);
  }

  async expire(beforeMs: number): Promise<number> {
    return this.sql.write(
      () => this.sql.stmt("DELETE FROM jmap_uploads WHERE created_at < ?").run(beforeMs).changes,
    );
  }
}

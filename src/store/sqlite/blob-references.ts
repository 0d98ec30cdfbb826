// What keeps a blob from garbage collection on the embedded store: an email (destroyed-but-unpurged ones
// included), an unexpired JMAP upload, a queued outbound message. One query, used by isBlobReferenced and
// by the collector's delete of a database-held body, which must decide and delete in one transaction.
import type { BlobHash } from "../../kit/ids.js";
import type { SqliteDatabase } from "./sqlite-database.js";

export function isBlobReferencedNow(sql: SqliteDatabase, hash: BlobHash): boolean {
  return (
    sql
      .stmt(
        "SELECT 1 FROM emails WHERE blob_hash = ? UNION ALL SELECT 1 FROM jmap_uploads WHERE blob_hash = ? UNION ALL SELECT 1 FROM outbound_queue WHERE blob_hash = ? LIMIT 1",
      )
      .get(hash, hash, hash) !== undefined
  );
}

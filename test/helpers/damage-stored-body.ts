// Damages a stored message body of the embedded store, wherever the store keeps it: bodies up to 64 KiB
// live in the database's message_blobs table (delivery and APPEND store them with their entry), larger ones
// as files under blobs/ named by their SHA-256. Tests of the integrity checks use it to stand for a disk
// that returns other bytes than were written.
import { createHash } from "node:crypto";
import { access, writeFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";

/** Replaces the stored bytes of the body `raw` with `garbage`; throws when no stored copy exists. */
export async function damageStoredBody(dataDir: string, raw: Buffer, garbage = "garbage"): Promise<void> {
  const hash = createHash("sha256").update(raw).digest("hex");
  const file = join(dataDir, "blobs", hash.slice(0, 2), hash.slice(2, 4), hash);
  const inFile = await access(file).then(
    () => true,
    () => false,
  );
  if (inFile) await writeFile(file, garbage);
  const db = new Database(join(dataDir, "postfach.db"));
  try {
    const changed = db
      .prepare("UPDATE message_blobs SET bytes = ? WHERE hash = ?")
      .run(Buffer.from(garbage), hash).changes;
    if (!inFile && changed === 0) throw new Error(`no stored copy of the body with SHA-256 ${hash}`);
  } finally {
    db.close();
  }
}

// `postfach backup` and `postfach restore` for the embedded store (docs/operations.md "Backup and
// restore"): a consistent copy of a running server in one ustar archive. The database is copied with
// SQLite's online backup API (a snapshot other connections keep writing around), then the blob files
// (immutable, only added; every blob the snapshot references is already durable) and the TLS files.
// Restore writes an archive into an empty data folder and checks it before anyone opens it.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import Database from "better-sqlite3";
import { MailError } from "../../kit/mail-error.js";

const DB_FILE = "postfach.db";
const MANIFEST = "postfach-backup.json";
const BLOCK = 512;
/** Blob files are named by their SHA-256 (a prefixed blob's manifest carries a suffix after it). */
const BLOB_NAME = /^[0-9a-f]{64}/;

export interface BackupReport {
  readonly archive: string;
  readonly schemaVersion: number;
  readonly databaseBytes: number;
  readonly blobs: number;
  readonly blobBytes: number;
  readonly messages: number;
  readonly accounts: number;
}

interface Manifest {
  readonly format: "postfach-backup-1";
  readonly createdAt: string;
  readonly schemaVersion: number;
  readonly databaseSha256: string;
  readonly files: number;
}

/** One ustar header block (POSIX.1-1988): names up to 100 bytes are all this archive needs. */
function tarHeader(name: string, size: number, mtimeSeconds: number): Buffer {
  const header = Buffer.alloc(BLOCK);
  if (Buffer.byteLength(name) > 100) throw new Error(`path too long for the archive: ${name}`);
  header.write(name, 0, 100, "utf8");
  header.write("0000600\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
  header.write(`${Math.floor(mtimeSeconds).toString(8).padStart(11, "0")}\0`, 136);
  header.write("        ", 148);
  header.write("0", 156);
  header.write("ustar\u000000", 257);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return header;
}

class TarWriter {
  constructor(private readonly handle: import("node:fs/promises").FileHandle) {}

  async add(name: string, source: string | Buffer, mtimeSeconds = Date.now() / 1000): Promise<number> {
    const size = typeof source === "string" ? (await stat(source)).size : source.length;
    await this.handle.write(tarHeader(name, size, mtimeSeconds));
    let written = 0;
    if (typeof source === "string") {
      for await (const chunk of createReadStream(source)) {
        await this.handle.write(chunk as Buffer);
        written += (chunk as Buffer).length;
      }
    } else {
      await this.handle.write(source);
      written = source.length;
    }
    if (written !== size) throw new Error(`${name} changed while it was archived`);
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (pad > 0) await this.handle.write(Buffer.alloc(pad));
    return size;
  }

  async finish(): Promise<void> {
    await this.handle.write(Buffer.alloc(BLOCK * 2));
    await this.handle.sync();
  }
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

/** The blob hashes the database references: emails (live or not yet purged), JMAP uploads, queued mail. */
function referencedBlobs(db: Database.Database): Set<string> {
  const inline = new Set(
    (db.prepare("SELECT hash FROM message_blobs").all() as { hash: string }[]).map((r) => r.hash),
  );
  const hashes = db
    .prepare(
      "SELECT blob_hash AS hash FROM emails UNION SELECT blob_hash FROM jmap_uploads UNION SELECT blob_hash FROM outbound_queue",
    )
    .all() as { hash: string }[];
  return new Set(hashes.map((r) => r.hash).filter((h) => !inline.has(h)));
}

/**
 * Writes a consistent backup of the data folder of a (possibly running) embedded store to `archive`
 * (which must not exist): the database through the online backup API, then every blob and TLS file.
 * Fails, removing the partial archive, if a blob the database snapshot references is missing.
 */
export async function backupSqliteStore(dataDir: string, archive: string): Promise<BackupReport> {
  const dbPath = join(dataDir, DB_FILE);
  if (!(await stat(dbPath).catch(() => undefined))?.isFile()) {
    throw new MailError("nonexistent", `No Postfach database at ${dbPath}`);
  }
  if (await stat(archive).catch(() => undefined)) {
    throw new MailError("alreadyExists", `${archive} already exists`);
  }
  const partial = `${archive}.partial`;
  const snapshot = `${archive}.db-snapshot`;
  try {
    const source = new Database(dbPath, { fileMustExist: true });
    try {
      await source.backup(snapshot);
    } finally {
      source.close();
    }
    const db = new Database(snapshot, { fileMustExist: true });
    let referenced: Set<string>;
    let schemaVersion: number;
    let messages: number;
    let accounts: number;
    try {
      // A file that stands alone (no -wal beside it); the restored server switches it back to WAL.
      db.pragma("journal_mode = DELETE");
      schemaVersion = db.pragma("user_version", { simple: true }) as number;
      referenced = referencedBlobs(db);
      messages = (db.prepare("SELECT count(*) AS n FROM entries").get() as { n: number }).n;
      accounts = (db.prepare("SELECT count(*) AS n FROM accounts").get() as { n: number }).n;
    } finally {
      db.close();
    }
    const databaseSha256 = await sha256OfFile(snapshot);
    const blobFiles = (await listFiles(join(dataDir, "blobs"))).filter(
      (path) => !relative(join(dataDir, "blobs"), path).startsWith(`tmp${sep}`),
    );
    const tlsFiles = await listFiles(join(dataDir, "tls"));
    const present = new Set(blobFiles.map((path) => path.slice(path.lastIndexOf(sep) + 1)));
    const lacking = [...referenced].filter((hash) => !present.has(hash));
    if (lacking.length > 0) {
      throw new MailError(
        "unavailable",
        `${lacking.length} message file(s) the database references are missing (${lacking[0]}); run \`postfach doctor\`, or retry if mail was being purged`,
      );
    }
    const manifest: Manifest = {
      format: "postfach-backup-1",
      createdAt: new Date().toISOString(),
      schemaVersion,
      databaseSha256,
      files: blobFiles.length + tlsFiles.length,
    };
    const handle = await open(partial, "wx", 0o600);
    let databaseBytes = 0;
    let blobBytes = 0;
    try {
      const tar = new TarWriter(handle);
      await tar.add(MANIFEST, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
      databaseBytes = await tar.add(DB_FILE, snapshot);
      for (const path of [...blobFiles, ...tlsFiles]) {
        const size = await tar.add(relative(dataDir, path).split(sep).join("/"), path);
        if (blobFiles.includes(path)) blobBytes += size;
      }
      await tar.finish();
    } finally {
      await handle.close();
    }
    await rename(partial, archive);
    return { archive, schemaVersion, databaseBytes, blobs: blobFiles.length, blobBytes, messages, accounts };
  } finally {
    await rm(snapshot, { force: true });
    await rm(partial, { force: true });
  }
}

export interface RestoreReport {
  readonly dataDir: string;
  readonly schemaVersion: number;
  readonly files: number;
  readonly messages: number;
}

/** One entry of an archive: its name, size and bytes, read in chunks (a database may be large). */
interface TarEntry {
  readonly name: string;
  readonly size: number;
  readonly chunks: AsyncIterable<Buffer>;
}

const READ_CHUNK = 1 << 20;

/** Reads a ustar archive entry by entry; each entry's chunks must be consumed before the next. */
async function readTar(archive: string, onEntry: (entry: TarEntry) => Promise<void>): Promise<void> {
  const handle = await open(archive, "r");
  try {
    let position = 0;
    const header = Buffer.alloc(BLOCK);
    for (;;) {
      const { bytesRead } = await handle.read(header, 0, BLOCK, position);
      if (bytesRead < BLOCK) throw new MailError("invalidInput", "The archive is truncated");
      if (header.every((b) => b === 0)) return;
      let sum = 0;
      for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] as number);
      const stored = Number.parseInt(header.subarray(148, 156).toString("latin1").replace(/[\0 ]/g, ""), 8);
      if (stored !== sum || header.subarray(257, 262).toString("latin1") !== "ustar") {
        throw new MailError("invalidInput", `Not a Postfach backup (bad archive header at byte ${position})`);
      }
      const name = header.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
      const size = Number.parseInt(header.subarray(124, 136).toString("latin1").replace(/[\0 ]/g, ""), 8);
      const start = position + BLOCK;
      async function* chunks(): AsyncGenerator<Buffer> {
        for (let offset = 0; offset < size; offset += READ_CHUNK) {
          const buffer = Buffer.alloc(Math.min(READ_CHUNK, size - offset));
          const read = await handle.read(buffer, 0, buffer.length, start + offset);
          if (read.bytesRead < buffer.length) {
            throw new MailError("invalidInput", `The archive is truncated inside ${name}`);
          }
          yield buffer;
        }
      }
      await onEntry({ name, size, chunks: chunks() });
      position = start + Math.ceil(size / BLOCK) * BLOCK;
    }
  } finally {
    await handle.close();
  }
}

/**
 * Restores an archive of backupSqliteStore into `dataDir`, which must be empty or missing. Every blob is
 * checked against its name (SHA-256), the database against the manifest and SQLite's integrity check,
 * and every blob it references must be there; on any failure the restored files are removed again.
 */
export async function restoreSqliteStore(archive: string, dataDir: string): Promise<RestoreReport> {
  if (!(await stat(archive).catch(() => undefined))?.isFile()) {
    throw new MailError("nonexistent", `${archive} is not a file`);
  }
  const existing = await readdir(dataDir).catch(() => []);
  if (existing.length > 0) {
    throw new MailError("cannot", `${dataDir} is not empty; restore into an empty data folder`);
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  let manifest: Manifest | undefined;
  let files = 0;
  try {
    await readTar(archive, async ({ name, chunks }) => {
      if (name === MANIFEST) {
        const parts: Buffer[] = [];
        for await (const chunk of chunks) parts.push(chunk);
        manifest = JSON.parse(Buffer.concat(parts).toString("utf8")) as Manifest;
        if (manifest.format !== "postfach-backup-1")
          throw new MailError("invalidInput", "Unknown backup format");
        return;
      }
      const isSafe =
        name === DB_FILE || (/^(blobs|tls)\/[A-Za-z0-9._/-]+$/.test(name) && !name.split("/").includes(".."));
      if (!isSafe)
        throw new MailError("invalidInput", `Unexpected path in the archive: ${JSON.stringify(name)}`);
      const path = join(dataDir, ...name.split("/"));
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const hash = createHash("sha256");
      const handle = await open(path, "wx", 0o600);
      try {
        for await (const chunk of chunks) {
          hash.update(chunk);
          await handle.write(chunk);
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      const digest = hash.digest("hex");
      const file = name.slice(name.lastIndexOf("/") + 1);
      // A blob's name starts with the SHA-256 of its bytes (a prefixed blob's: of its manifest).
      if (name.startsWith("blobs/") && BLOB_NAME.test(file) && digest !== file.slice(0, 64)) {
        throw new MailError("invalidInput", `The archive's copy of ${file} is damaged`);
      }
      if (name === DB_FILE && manifest && digest !== manifest.databaseSha256) {
        throw new MailError("invalidInput", "The archive's database does not match its checksum");
      }
      files++;
    });
    if (manifest === undefined) throw new MailError("invalidInput", "Not a Postfach backup (no manifest)");
    const db = new Database(join(dataDir, DB_FILE), { fileMustExist: true });
    let messages: number;
    try {
      const check = db.pragma("integrity_check", { simple: true });
      if (check !== "ok")
        throw new MailError("invalidInput", `The restored database is damaged: ${String(check)}`);
      const blobs = new Set(
        (await listFiles(join(dataDir, "blobs"))).map((p) => p.slice(p.lastIndexOf(sep) + 1)),
      );
      const lacking = [...referencedBlobs(db)].filter((hash) => !blobs.has(hash));
      if (lacking.length > 0) {
        throw new MailError(
          "invalidInput",
          `The archive lacks ${lacking.length} message file(s) its database references`,
        );
      }
      messages = (db.prepare("SELECT count(*) AS n FROM entries").get() as { n: number }).n;
    } finally {
      db.close();
    }
    return { dataDir, schemaVersion: manifest.schemaVersion, files, messages };
  } catch (error) {
    for (const name of await readdir(dataDir).catch(() => [])) {
      await rm(join(dataDir, name), { recursive: true, force: true });
    }
    throw error;
  }
}

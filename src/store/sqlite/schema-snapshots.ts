// Upgrades that cannot strand data (docs/operations.md "Upgrades and rollback"): before the embedded store
// applies pending schema migrations it copies the database into <dataDir>/snapshots with SQLite's online
// backup API, keeping the newest few; `postfach migrate --rollback` puts the newest one back.
// The database file is all a migration changes: blob files are immutable and content-addressed (no
// migration rewrites or renames one), and small bodies kept in the database (migration 15) are in the copy.
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Logger } from "../../kit/logger.js";
import { MailError } from "../../kit/mail-error.js";
import { MIGRATIONS } from "./schema.js";
import { runningServerPid } from "./server-pid-file.js";

const DB_FILE = "postfach.db";
export const SNAPSHOT_DIR = "snapshots";
/** Snapshots kept: enough to step back over a couple of upgrades, bounded in disk use. */
export const SNAPSHOTS_KEPT = 3;
/** `schema-v<version>-<UTC stamp>.db`: the stamp sorts by time, the version says what it restores. */
const SNAPSHOT_NAME = /^schema-v(\d+)-(\d{8}T\d{6}\d{3}Z)\.db$/;

export interface SchemaSnapshot {
  readonly path: string;
  /** The schema version (user_version) the snapshot holds. */
  readonly version: number;
}

/** The schema version of the database file, or undefined when there is none yet. */
function schemaVersionOf(path: string): number | undefined {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch {
    return undefined;
  }
  try {
    return db.pragma("user_version", { simple: true }) as number;
  } finally {
    db.close();
  }
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Existing snapshots, newest first. */
export async function listSchemaSnapshots(dataDir: string): Promise<SchemaSnapshot[]> {
  const dir = join(dataDir, SNAPSHOT_DIR);
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .map((name) => ({ name, match: SNAPSHOT_NAME.exec(name) }))
    .filter((n): n is { name: string; match: RegExpExecArray } => n.match !== null)
    .sort((a, b) => ((a.match[2] as string) < (b.match[2] as string) ? 1 : -1))
    .map(({ name, match }) => ({ path: join(dir, name), version: Number(match[1]) }));
}

const stampNow = (): string => new Date().toISOString().replace(/[-:.]/g, "");

/**
 * Copies the database before pending migrations run (none when it is new or already current), through
 * the online backup API so a CLI opening the store beside a running server still gets a consistent copy.
 * Written under a temporary name and fsynced before it takes its name, so a listed snapshot is whole.
 */
export async function snapshotBeforeMigration(dataDir: string, log: Logger): Promise<SchemaSnapshot | null> {
  const dbPath = join(dataDir, DB_FILE);
  const version = schemaVersionOf(dbPath);
  if (version === undefined || version === 0 || version >= MIGRATIONS.length) return null;
  const dir = join(dataDir, SNAPSHOT_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `schema-v${version}-${stampNow()}.db`);
  const temporary = `${path}.tmp`;
  const source = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    await source.backup(temporary);
  } finally {
    source.close();
  }
  await fsyncPath(temporary);
  await rename(temporary, path);
  await fsyncPath(dir);
  for (const old of (await listSchemaSnapshots(dataDir)).slice(SNAPSHOTS_KEPT)) await rm(old.path);
  log.info(
    { snapshot: path, from: version, to: MIGRATIONS.length },
    "schema snapshot taken before migrating",
  );
  return { path, version };
}

export interface RollbackReport {
  /** The schema version the database is at now. */
  readonly version: number;
  /** The version it was at before the rollback. */
  readonly replacedVersion: number;
  readonly snapshot: string;
  /** Where the replaced database was moved (nothing is deleted). */
  readonly replacedPath: string;
}

/**
 * Puts the newest snapshot back as the database (it leaves the list), with the server stopped. The replaced database (and a
 * WAL left by a crash) is moved into the snapshot folder, not deleted: what arrived after the upgrade is
 * in it. Starting this (newer) Postfach again would migrate again; roll back to run the older release.
 */
export async function rollbackToSnapshot(dataDir: string): Promise<RollbackReport> {
  const pid = await runningServerPid(dataDir);
  if (pid !== undefined) {
    throw new MailError(
      "cannot",
      `A Postfach server (pid ${pid}) is running on ${dataDir}; stop it before rolling back`,
    );
  }
  const [latest] = await listSchemaSnapshots(dataDir);
  if (latest === undefined) {
    throw new MailError(
      "nonexistent",
      `No schema snapshot in ${join(dataDir, SNAPSHOT_DIR)}: snapshots are taken when an upgrade migrates the store`,
    );
  }
  const dbPath = join(dataDir, DB_FILE);
  const replacedVersion = schemaVersionOf(dbPath) ?? 0;
  const replacedPath = join(dataDir, SNAPSHOT_DIR, `replaced-v${replacedVersion}-${stampNow()}.db`);
  // The WAL and its index belong to the replaced file; left beside the snapshot they would be replayed into it.
  for (const suffix of ["", "-wal", "-shm"]) {
    if (await stat(dbPath + suffix).catch(() => undefined))
      await rename(dbPath + suffix, replacedPath + suffix);
  }
  // Moved, not copied: a second rollback then steps back to the snapshot before this one.
  await rename(latest.path, dbPath);
  await fsyncPath(dataDir);
  const version = schemaVersionOf(dbPath) ?? 0;
  return { version, replacedVersion, snapshot: latest.path, replacedPath };
}

// Upgrades from every schema version of the embedded store: a store is built at each historical version N
// (the first N migrations on an empty database, then the rows of a reference store restricted to the
// tables and columns that version has, bodies as files before migration 15 kept them in the database);
// the current code opens it, snapshots it before migrating, and serves the same folders, subscriptions,
// UIDVALIDITY, UIDNEXT, UIDs, flags and bytes over IMAP. `postfach migrate --rollback` puts the snapshot
// back (refused while a server runs) and a PostgreSQL store is pointed to pg_dump.
import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { MIGRATIONS } from "../src/store/sqlite/schema.js";
import { listSchemaSnapshots } from "../src/store/sqlite/schema-snapshots.js";
import { postfach } from "./helpers/postfach-cli.js";
import {
  assertSeenAsReference,
  imapPort,
  type SeenAccount,
  seedReferenceMail,
  seenOverImap,
} from "./helpers/schema-upgrade-reference.js";
import { startImapOnlyServer, startTestServer, type TestServer } from "./helpers/test-server.js";

/** The path FileBlobStore gives a blob (blobs/aa/bb/<sha256>). */
const blobPath = (dataDir: string, hash: string): string =>
  join(dataDir, "blobs", hash.slice(0, 2), hash.slice(2, 4), hash);

/**
 * A data folder at schema version `version` holding the reference store's rows: every table that version
 * has gets the reference rows' values for the columns it has (later columns take their defaults when the
 * migrations add them, as real old rows do); full-text tables are left to the triggers of that version.
 */
async function storeAtVersion(reference: string, version: number): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), `postfach-schema-v${version}-`));
  await cp(join(reference, "blobs"), join(dataDir, "blobs"), { recursive: true });
  // The reference's self-signed certificate, so each start does not generate a key pair of its own.
  await cp(join(reference, "tls"), join(dataDir, "tls"), { recursive: true });
  const db = new Database(join(dataDir, "postfach.db"));
  try {
    for (const migration of MIGRATIONS.slice(0, version)) db.exec(migration);
    db.pragma(`user_version = ${version}`);
    db.pragma("foreign_keys = OFF");
    db.prepare("ATTACH DATABASE ? AS ref").run(join(reference, "postfach.db"));
    const tablesOf = (schema: string) =>
      db
        .prepare(
          `SELECT name, sql FROM ${schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
        )
        .all() as { name: string; sql: string }[];
    const virtual = tablesOf("ref")
      .filter((t) => /^CREATE VIRTUAL TABLE/i.test(t.sql))
      .map((t) => t.name);
    const isIndexTable = (name: string) => virtual.some((v) => name === v || name.startsWith(`${v}_`));
    const present = new Set(tablesOf("main").map((t) => t.name));
    const columnsOf = (schema: string, table: string) =>
      (db.prepare(`SELECT name FROM pragma_table_info(?, ?)`).all(table, schema) as { name: string }[]).map(
        (c) => c.name,
      );
    for (const { name } of tablesOf("ref")) {
      if (isIndexTable(name) || !present.has(name)) continue;
      // A table its migration already filled holds that version's own state (search_index_progress's
      // mark, 0 on an empty store: every copied row is then waiting for the indexer, as after a crash).
      if (db.prepare(`SELECT 1 FROM main."${name}" LIMIT 1`).get()) continue;
      const mainColumns = new Set(columnsOf("main", name));
      const columns = columnsOf("ref", name)
        .filter((c) => mainColumns.has(c))
        .map((c) => `"${c}"`)
        .join(", ");
      db.exec(`INSERT INTO main."${name}" (${columns}) SELECT ${columns} FROM ref."${name}"`);
    }
    if (!present.has("message_blobs")) {
      // Before migration 15 every body was a file.
      for (const row of db.prepare("SELECT hash, bytes FROM ref.message_blobs").all() as {
        hash: string;
        bytes: Buffer;
      }[]) {
        await mkdir(join(blobPath(dataDir, row.hash), ".."), { recursive: true });
        await writeFile(blobPath(dataDir, row.hash), row.bytes);
      }
    }
    db.exec("DETACH DATABASE ref");
  } finally {
    db.close();
  }
  return dataDir;
}

const schemaVersionOf = (path: string): number => {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma("user_version", { simple: true }) as number;
  } finally {
    db.close();
  }
};

describe("schema upgrades from every version of the embedded store", () => {
  let reference: TestServer;
  let expected: SeenAccount;
  const made: string[] = [];

  before(async () => {
    reference = await startTestServer();
    // Its delivered message keeps its small body in the database (message_blobs, migration 15).
    expected = await seedReferenceMail(reference);
    await reference.server.stop();
  });

  after(async () => {
    for (const dir of made) await rm(dir, { recursive: true, force: true });
    // Its server stopped in before(); this ends the rest (its DNS stub) and removes its folder.
    await reference?.stop();
  });

  it("a new store takes no snapshot", async () => {
    assert.deepEqual(await listSchemaSnapshots(reference.dataDir), []);
  });

  for (let version = 1; version < MIGRATIONS.length; version++) {
    it(`a store at schema version ${version} is served the same after the upgrade`, async () => {
      const dataDir = await storeAtVersion(reference.dataDir, version);
      made.push(dataDir);
      const server = await startImapOnlyServer(dataDir);
      try {
        assertSeenAsReference(await seenOverImap(imapPort(server)), expected, version);
      } finally {
        await server.stop();
      }
      const snapshots = await listSchemaSnapshots(dataDir);
      assert.deepEqual(
        snapshots.map((s) => s.version),
        [version],
        "one snapshot, of the version before the upgrade",
      );
      assert.equal(schemaVersionOf(join(dataDir, "postfach.db")), MIGRATIONS.length);
    });
  }

  it("postfach migrate --rollback puts the snapshot back, and refuses while a server runs", async () => {
    const version = 10;
    const dataDir = await storeAtVersion(reference.dataDir, version);
    made.push(dataDir);
    const env = { POSTFACH_DATA: dataDir, POSTFACH_CONFIG: "" };
    const server = await startImapOnlyServer(dataDir);
    try {
      const refused = await postfach(["migrate", "--rollback"], env);
      assert.equal(refused.code, 1, refused.stdout);
      assert.match(refused.stderr, /server \(pid \d+\) is running .*stop it before rolling back/);
    } finally {
      await server.stop();
    }
    const rolled = await postfach(["migrate", "--rollback"], env);
    assert.equal(rolled.code, 0, rolled.stderr);
    assert.match(
      rolled.stdout,
      new RegExp(`rolled back to schema version ${version} \\(from ${MIGRATIONS.length}\\)`),
    );
    assert.equal(schemaVersionOf(join(dataDir, "postfach.db")), version);

    const again = await postfach(["migrate", "--rollback"], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /No schema snapshot/);

    // The rolled-back store is whole: the current code upgrades it again and serves the same mail.
    const reopened = await startImapOnlyServer(dataDir);
    try {
      const seen = await seenOverImap(imapPort(reopened));
      assert.deepEqual(seen.mailboxes.get("INBOX"), expected.mailboxes.get("INBOX"));
    } finally {
      await reopened.stop();
    }
  });

  it("the PostgreSQL store refuses a rollback with a pointer to pg_dump", async () => {
    const result = await postfach(["migrate", "--rollback"], {
      POSTFACH_STORE: "postgres://postfach@127.0.0.1:1/none",
      POSTFACH_CONFIG: "",
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /pg_dump -Fc before upgrading.*pg_restore/);
  });
});

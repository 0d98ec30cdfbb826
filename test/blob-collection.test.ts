// Scheduled blob garbage collection (issue 13, docs/reliability.md "Garbage"): the running server removes
// a blob nothing references once it is older than [blob_gc] grace_ms, and the body of a message expunged
// longer ago than that, while a referenced blob (however old) and a young unreferenced one (an APPEND
// that stored its body and has not committed yet) stay. `postfach doctor` counts the orphans first. On a
// shared store the lease lets one collector run: a second one is turned away. Both store backends.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { BlobHash } from "../src/kit/ids.js";
import { silentLogger } from "../src/kit/logger.js";
import { BlobCollector, collectBlobGarbage } from "../src/mail/blob-collection.js";
import type { PgMessages } from "../src/store/postgres/pg-messages.js";
import { describeWithPostgres } from "../src/store/postgres/postgres-test-harness.js";
import type { SqliteMessages } from "../src/store/sqlite/sqlite-messages.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const CLI = new URL("../src/cli/postfach.js", import.meta.url).pathname;
const USER = "collected@example.test";
const GRACE_MS = 10 * 60_000;
/** Well before the grace period: what the collector may take. */
const LONG_AGO_MS = Date.now() - 2 * GRACE_MS;

/** Bodies above 64 KB, so the embedded store keeps them as files, as every large message. */
function body(label: string): Buffer {
  return Buffer.from(`Subject: ${label}\r\n\r\n${`${label} `.padEnd(76, "g")}\r\n`.repeat(1000));
}

/** Makes stored things look old, as time would, per backend. */
interface Ager {
  blob(server: TestServer, hash: BlobHash): Promise<void>;
  destroyedEmails(server: TestServer): Promise<void>;
}

const sqliteAger: Ager = {
  async blob(server, hash) {
    const path = join(server.dataDir, "blobs", hash.slice(0, 2), hash.slice(2, 4), hash);
    await utimes(path, LONG_AGO_MS / 1000, LONG_AGO_MS / 1000);
  },
  async destroyedEmails(server) {
    const { sql } = server.server.services.store.messages as SqliteMessages;
    sql.write(() =>
      sql.stmt("UPDATE emails SET destroyed_at = ? WHERE destroyed_at IS NOT NULL").run(LONG_AGO_MS),
    );
  },
};

const postgresAger: Ager = {
  async blob(server, hash) {
    const { sql } = server.server.services.store.messages as PgMessages;
    assert.equal(await sql.run("UPDATE blobs SET created_at = $2 WHERE hash = $1", [hash, LONG_AGO_MS]), 1);
  },
  async destroyedEmails(server) {
    const { sql } = server.server.services.store.messages as PgMessages;
    await sql.run("UPDATE emails SET destroyed_at = $1 WHERE destroyed_at IS NOT NULL", [LONG_AGO_MS]);
  },
};

async function doctorOrphans(server: TestServer): Promise<number> {
  const { store } = server.server.services.config;
  const configPath = join(server.dataDir, "doctor.toml");
  await writeFile(
    configPath,
    `data_dir = "${server.dataDir}"\nstore = "${store}"\n[log]\nlevel = "silent"\n`,
  );
  const { stdout } = await promisify(execFile)(process.execPath, [
    CLI,
    "doctor",
    "--config",
    configPath,
    "--json",
  ]);
  return (JSON.parse(stdout) as { orphans: string[] }).orphans.length;
}

function collectionTests(backend: "sqlite" | "postgres", age: Ager): void {
  describe(`scheduled blob collection (${backend})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer((c) => ({ ...c, blobGc: { intervalMs: 100, graceMs: GRACE_MS } }), {
        store: backend,
      });
      await server.addUser(USER);
    });
    after(() => server.stop());

    it("removes old orphans and expunged bodies, keeps referenced and young blobs", async () => {
      const { blobs } = server.server.services.store;
      const imap = await RawImap.loggedIn(server.port("imap"), USER, TEST_PASSWORD);
      const kept = body("kept");
      const expunged = body("expunged");
      assert.match(await imap.append("a1", "INBOX", kept), /^a1 OK/m);
      assert.match(await imap.append("a2", "INBOX", expunged), /^a2 OK/m);
      assert.match(await imap.command("s", "SELECT INBOX"), /^s OK/m);
      assert.match(await imap.command("d", "STORE 2 +FLAGS.SILENT (\\Deleted)"), /^d OK/m);
      assert.match(await imap.command("x", "EXPUNGE"), /^x OK/m);

      const keptHash = blobs.hashOf(kept);
      const expungedHash = blobs.hashOf(expunged);
      const orphan = (await blobs.put(body("orphan"))).hash;
      const young = (await blobs.put(body("young"))).hash;
      // (Counted while all are young, before the server's collector may take any.)
      assert.equal(await doctorOrphans(server), 2, "doctor counts the unreferenced blobs");
      // Everything but the young orphan is old now, as if it had been stored long ago.
      for (const hash of [keptHash, expungedHash, orphan]) await age.blob(server, hash);
      await age.destroyedEmails(server);

      // The server collects every 100 ms: wait (bounded) for the old orphan to go.
      for (let i = 0; i < 300 && (await blobs.has(orphan)); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(await blobs.has(orphan), false, "an old blob nothing references is removed");
      for (let i = 0; i < 300 && (await blobs.has(expungedHash)); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(await blobs.has(expungedHash), false, "an expunged message's body goes after the grace");
      assert.equal(await blobs.has(young), true, "a young blob stays (its APPEND may not have committed)");
      assert.equal(await blobs.has(keptHash), true, "a referenced blob stays, however old");

      const fetched = await imap.command("f", "FETCH 1 BODY.PEEK[]");
      assert.ok(fetched.includes(kept.toString("latin1")), "the kept message is whole");
      imap.close();
    });

    it("runs on one node at a time: a second collector is turned away by the lease", async () => {
      const other = new BlobCollector(server.server.services.store, {
        intervalMs: 0,
        graceMs: GRACE_MS,
        log: silentLogger,
        holder: "another-node",
      });
      assert.equal(await other.runNow(), null, "the server's collector holds the lease");
      await other.stop();
    });

    it("storing bytes again makes an old blob young, so the APPEND storing them keeps them", async () => {
      const { store } = server.server.services;
      const again = body("stored again");
      const { hash } = await store.blobs.put(again);
      await age.blob(server, hash);
      // An APPEND or delivery of the same bytes stores them again before its transaction commits.
      await store.blobs.put(again);
      await collectBlobGarbage(store, GRACE_MS);
      assert.equal(await store.blobs.has(hash), true, "kept for the append about to reference it");
    });
  });
}

collectionTests("sqlite", sqliteAger);
await describeWithPostgres(() => collectionTests("postgres", postgresAger));

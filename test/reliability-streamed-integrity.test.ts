// Integrity of streamed reads (issue 13): a message over 256 KB is sent while it is read, so its hash is
// checked as it streams and the store holds the last chunk back until the hash is known. A damaged one
// is never sent whole: IMAP and POP3 close the connection in the middle of it (no reply can follow an
// unfinished literal or message), an intact large one is served byte for byte, and the next session
// works. Both store backends: a file on disk (embedded store), a chunk row in PostgreSQL.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { inflateRawSync } from "node:zlib";
import { connectPlainClient } from "../src/net/line-client.testkit.js";
import type { PgBlobStore } from "../src/store/postgres/pg-blob-store.js";
import { describeWithPostgres } from "../src/store/postgres/postgres-test-harness.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const USER = "streamed@example.test";
/** Well above the 256 KB below which blobs are read (and checked) at once. */
const LARGE_BYTES = 700_000;

function message(n: number, bytes: number): Buffer {
  const line = `streamed ${n} `.padEnd(76, "q");
  return Buffer.from(`Subject: streamed ${n}\r\n\r\n${`${line}\r\n`.repeat(Math.ceil(bytes / 78))}`);
}

async function append(imap: RawImap, tag: string, raw: Buffer): Promise<void> {
  assert.match(await imap.append(tag, "INBOX", raw), new RegExp(`^${tag} OK`, "m"));
}

/** Everything the server sent until it closed the connection (RawImap.waitFor throws at close). */
async function untilClosed(imap: RawImap): Promise<string> {
  await imap
    .waitFor(() => false, 20_000)
    .catch((error: Error) => {
      if (!imap.isClosed) throw error;
    });
  return imap.received;
}

/** Damages the first stored chunk of the blob named `hash`, as a disk or a table might. */
type Corrupt = (server: TestServer, hash: string) => Promise<void>;

const corruptFile: Corrupt = async (server, hash) => {
  const path = join(server.dataDir, "blobs", hash.slice(0, 2), hash.slice(2, 4), hash);
  const bytes = await readFile(path);
  bytes[100_000] = (bytes[100_000] ?? 0) ^ 0x01;
  await writeFile(path, bytes);
};

const corruptChunkRow: Corrupt = async (server, hash) => {
  const { sql } = server.server.services.store.blobs as PgBlobStore;
  const row = await sql.one<{ deflated: boolean; data: Buffer }>(
    "SELECT deflated, data FROM blob_chunks WHERE hash = $1 AND seq = 0",
    [hash],
  );
  assert.ok(row, "the blob's first chunk is stored");
  const raw = row.deflated ? inflateRawSync(row.data) : Buffer.from(row.data);
  raw[100_000] = (raw[100_000] ?? 0) ^ 0x01;
  await sql.run("UPDATE blob_chunks SET deflated = false, data = $2 WHERE hash = $1 AND seq = 0", [
    hash,
    raw,
  ]);
};

function streamedIntegrityTests(store: "sqlite" | "postgres", corrupt: Corrupt): void {
  describe(`a damaged message over 256 KB (${store})`, () => {
    let server: TestServer;
    const intact = message(1, LARGE_BYTES);
    const damaged = message(2, LARGE_BYTES);
    before(async () => {
      server = await startTestServer((c) => c, { store });
      await server.addUser(USER);
      const imap = await RawImap.loggedIn(server.port("imap"), USER, TEST_PASSWORD);
      await append(imap, "a1", intact);
      await append(imap, "a2", damaged);
      imap.close();
      await corrupt(server, createHash("sha256").update(damaged).digest("hex"));
    });
    after(() => server.stop());

    it("IMAP: the FETCH never completes its literal and the connection closes; others are served", async () => {
      const imap = await RawImap.loggedIn(server.port("imap"), USER, TEST_PASSWORD);
      assert.match(await imap.command("s", "SELECT INBOX"), /^s OK/m);
      imap.take();
      imap.write("f2 FETCH 2 BODY.PEEK[]\r\n");
      const received = await untilClosed(imap);
      const announced = /\* 2 FETCH \(BODY\[\] \{(\d+)\}\r\n/.exec(received);
      assert.ok(announced, `the response began: ${received.slice(0, 200)}`);
      const literalBytes = received.length - (announced.index + announced[0].length);
      assert.equal(Number(announced[1]), damaged.byteLength);
      assert.ok(literalBytes < damaged.byteLength, `only ${literalBytes} bytes of the literal were sent`);
      assert.doesNotMatch(received, /^f2 (OK|NO|BAD)/m, "no reply follows an unfinished literal");

      const next = await RawImap.loggedIn(server.port("imap"), USER, TEST_PASSWORD);
      assert.match(await next.command("s", "SELECT INBOX"), /^s OK/m);
      const good = await next.command("f1", "FETCH 1 BODY.PEEK[]");
      assert.match(good, /^f1 OK/m);
      assert.ok(good.includes(`{${intact.byteLength}}\r\n${intact.toString("latin1")})`), "intact, whole");
      next.close();
    });

    it("POP3: RETR stops without the final dot and the connection closes; others are served", async () => {
      const pop = await connectPlainClient(server.port("pop3"));
      await pop.line();
      pop.write(`USER ${USER}\r\nPASS ${TEST_PASSWORD}\r\nRETR 2\r\n`);
      for (let i = 0; i < 3; i++) assert.match(await pop.line(), /^\+OK/);
      let retrievedBytes = 0;
      await assert.rejects(async () => {
        for (let line = await pop.line(); line !== "."; line = await pop.line())
          retrievedBytes += line.length + 2;
      }, /closed/);
      assert.ok(retrievedBytes < damaged.byteLength, `only ${retrievedBytes} bytes were sent`);
      pop.socket.destroy();

      const next = await connectPlainClient(server.port("pop3"));
      await next.line();
      next.write(`USER ${USER}\r\nPASS ${TEST_PASSWORD}\r\nRETR 1\r\n`);
      for (let i = 0; i < 3; i++) assert.match(await next.line(), /^\+OK/);
      const retrieved = await next.untilDot();
      assert.equal(retrieved, intact.toString("latin1"));
      next.write("QUIT\r\n");
      next.socket.destroy();
    });
  });
}

streamedIntegrityTests("sqlite", corruptFile);
await describeWithPostgres(() => streamedIntegrityTests("postgres", corruptChunkRow));

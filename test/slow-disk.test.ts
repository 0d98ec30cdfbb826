// A slow disk (issue 13, docs/reliability.md "A slow disk"): while one delivery and one APPEND wait for
// their message bodies to be written, other sessions are served (IMAP FETCH, POP3 RETR, another LMTP
// delivery), the waiting ones are not timed out however long the write takes (here longer than the idle
// timeouts), and once the write completes both are acknowledged and stored byte for byte.
// The slowness is injected in the test's own server process: the blob store's write (put), which
// writes and fsyncs the body, is held at a gate until the test opens it. No LD_PRELOAD, no FUSE.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectPlainClient, type LineClient } from "../src/net/line-client.testkit.js";
import type { BlobStore } from "../src/store/mail-store.js";
import { describeWithPostgres } from "../src/store/postgres/postgres-test-harness.js";
import type { SqliteBlobStore } from "../src/store/sqlite/sqlite-blob-store.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const USER = "slowdisk@example.test";
const IDLE_TIMEOUT_MS = 1000;
/** Bodies at least this large (and every streamed APPEND) wait at the gate; small deliveries pass. */
const GATED_BYTES = 100_000;

function message(label: string, bytes: number): Buffer {
  return Buffer.from(
    `Subject: ${label}\r\n\r\n${`${label} `.padEnd(76, "s")}\r\n`.repeat(Math.ceil(bytes / 78)),
  );
}

/** Once armed, holds the blob writes of large bodies until `open()`; counts those waiting. */
class WriteGate {
  waiting = 0;
  isArmed = false;
  #open: () => void = () => {};
  readonly #opened = new Promise<void>((resolve) => {
    this.#open = resolve;
  });

  /** Wraps `writer.put` (the object whose put writes and fsyncs message bodies). */
  install(writer: Pick<BlobStore, "put">): void {
    const put = writer.put.bind(writer);
    writer.put = async (source, maxBytes) => {
      const isLarge = !(source instanceof Uint8Array) || source.byteLength >= GATED_BYTES;
      if (this.isArmed && isLarge) {
        this.waiting++;
        await this.#opened;
      }
      return put(source, maxBytes);
    };
  }

  open(): void {
    this.#open();
  }
}

async function lmtpSend(client: LineClient, raw: Buffer): Promise<void> {
  client.write(`MAIL FROM:<s@remote.example>\r\nRCPT TO:<${USER}>\r\nDATA\r\n`);
  for (let i = 0; i < 3; i++) assert.match(await client.line(), /^(250|354) /);
  client.socket.write(raw);
  client.write(".\r\n");
}

async function lmtpClient(port: number): Promise<LineClient> {
  const client = await connectPlainClient(port);
  assert.match(await client.line(), /^220 /);
  client.write("LHLO test.example\r\n");
  while (!(await client.line()).startsWith("250 ")) {}
  return client;
}

function slowDiskTests(backend: "sqlite" | "postgres"): void {
  describe(`a slow disk (${backend})`, () => {
    let server: TestServer;
    const gate = new WriteGate();
    before(async () => {
      server = await startTestServer(
        (c) => ({
          ...c,
          limits: { ...c.limits, idleTimeoutMs: IDLE_TIMEOUT_MS, loginIdleTimeoutMs: IDLE_TIMEOUT_MS },
        }),
        { store: backend },
      );
      await server.addUser(USER);
      const { blobs } = server.server.services.store;
      // The embedded store writes large bodies through its file store; PostgreSQL through itself.
      gate.install(backend === "sqlite" ? (blobs as SqliteBlobStore).files : blobs);
    });
    after(async () => {
      gate.open();
      await server.stop();
    });

    it("serves other sessions while a delivery waits, times nothing out, loses nothing", async () => {
      const seed = await RawImap.loggedIn(server.port("imap"), USER, TEST_PASSWORD);
      const first = message("already here", 2_000);
      assert.match(await seed.append("a0", "INBOX", first), /^a0 OK/m);
      seed.close();
      gate.isArmed = true;

      // A delivery and an APPEND of large messages: both stop at the gate, writing their bodies.
      const delivered = message("delivered slowly", 150_000);
      const lmtp = await lmtpClient(server.port("lmtp"));
      await lmtpSend(lmtp, delivered);
      const appended = message("appended slowly", 150_000);
      const appender = await RawImap.loggedIn(server.port("imap"), USER, TEST_PASSWORD);
      const appending = appender.append("a1", "INBOX", appended);
      for (let i = 0; i < 400 && gate.waiting < 2; i++) await new Promise((r) => setTimeout(r, 25));
      assert.equal(gate.waiting, 2, "both writes wait at the gate");

      // Meanwhile other sessions are served.
      const reader = await RawImap.loggedIn(server.port("imap"), USER, TEST_PASSWORD);
      assert.match(await reader.command("s", "SELECT INBOX"), /^s OK/m);
      const fetched = await reader.command("f", "FETCH 1 BODY.PEEK[]");
      assert.match(fetched, /^f OK/m);
      assert.ok(fetched.includes(first.toString("latin1")), "IMAP FETCH is served");
      reader.close();
      const pop = await connectPlainClient(server.port("pop3"));
      await pop.line();
      pop.write(`USER ${USER}\r\nPASS ${TEST_PASSWORD}\r\nRETR 1\r\n`);
      for (let i = 0; i < 3; i++) assert.match(await pop.line(), /^\+OK/);
      const retrieved = await pop.untilDot();
      assert.equal(retrieved, first.toString("latin1"), "POP3 RETR is served");
      pop.write("QUIT\r\n");
      assert.match(await pop.line(), /^\+OK/);
      pop.socket.destroy();
      const quick = await lmtpClient(server.port("lmtp"));
      await lmtpSend(quick, message("small and quick", 1_000));
      assert.match(await quick.line(), /^250 /, "a small delivery is acknowledged meanwhile");
      quick.socket.destroy();

      // The write takes longer than the idle timeouts: the waiting sessions must not be dropped.
      await new Promise((resolve) => setTimeout(resolve, IDLE_TIMEOUT_MS * 2));
      gate.open();
      assert.match(await lmtp.line(), /^250 /, "the slow delivery is acknowledged, not timed out");
      assert.match(await appending, /^a1 OK/m, "the slow APPEND completes");
      lmtp.write("QUIT\r\n");
      lmtp.socket.destroy();
      appender.close();

      const check = await RawImap.loggedIn(server.port("imap"), USER, TEST_PASSWORD);
      const listing = await check.command("s", "SELECT INBOX");
      assert.match(listing, /^\* 4 EXISTS/m);
      const all = await check.command("f", "FETCH 1:4 BODY.PEEK[]");
      for (const raw of [delivered, appended]) {
        assert.ok(all.includes(raw.toString("latin1").slice(-5000)), "stored whole");
      }
      assert.ok(all.includes(appended.toString("latin1")), "the APPENDed message is byte-identical");
      check.close();
    });
  });
}

slowDiskTests("sqlite");
await describeWithPostgres(() => slowDiskTests("postgres"));

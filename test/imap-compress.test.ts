// COMPRESS=DEFLATE over real sockets (RFC 4978): a raw client that inflates and deflates checks commands,
// literals, IDLE notifications (flushed at once, not held in the compressor), TLS underneath, a second
// COMPRESS (NO [COMPRESSIONACTIVE]) and corrupt input; imapflow negotiates it on its own.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const message = (subject: string) =>
  `From: bob@example.test\r\nTo: alice@example.test\r\nSubject: ${subject}\r\n\r\n${"Hello there. ".repeat(200)}\r\n`;

describe("IMAP COMPRESS=DEFLATE (RFC 4978)", () => {
  let t: TestServer;
  let userCount = 0;
  const nextUser = (): string => `zip${++userCount}@example.test`;

  before(async () => {
    t = await startTestServer();
    await Promise.all(Array.from({ length: 8 }, (_, i) => t.addUser(`zip${i + 1}@example.test`)));
  });
  after(async () => {
    await t.stop();
  });

  async function login(user: string, tls = false): Promise<RawImap> {
    const raw = await RawImap.loggedIn(t.port("imap", tls), user, TEST_PASSWORD, { tls });
    return raw;
  }

  async function compressed(user: string, tls = false): Promise<RawImap> {
    const raw = await login(user, tls);
    assert.match(await raw.command("z0", "COMPRESS DEFLATE"), /^z0 OK/m);
    raw.startDeflate();
    return raw;
  }

  async function append(raw: RawImap, tag: string, text: string): Promise<string> {
    raw.take();
    raw.write(`${tag} APPEND INBOX {${Buffer.byteLength(text)}}\r\n`);
    await raw.waitFor((received) => received.startsWith("+ "));
    raw.take();
    raw.write(`${text}\r\n`);
    return raw.untilTagged(tag);
  }

  it("is advertised after login only, and refused before it", async () => {
    const raw = await RawImap.connect(t.port("imap"));
    assert.doesNotMatch(await raw.command("c1", "CAPABILITY"), /COMPRESS=DEFLATE/);
    assert.match(await raw.command("z1", "COMPRESS DEFLATE"), /^z1 BAD/m);
    assert.match(await raw.command("l1", `LOGIN ${nextUser()} ${TEST_PASSWORD}`), /^l1 OK/m);
    assert.match(await raw.command("c2", "CAPABILITY"), / COMPRESS=DEFLATE( |\r)/);
    assert.match(await raw.command("z2", "COMPRESS LZ4"), /^z2 BAD/m);
    raw.close();
  });

  it("carries commands, synchronizing literals and large FETCH replies compressed both ways", async () => {
    const raw = await compressed(nextUser());
    assert.match(await raw.command("n1", "NOOP"), /^n1 OK/m);
    for (let i = 0; i < 5; i++) assert.match(await append(raw, `a${i}`, message(`m${i}`)), /OK/);
    assert.match(await raw.command("s1", "SELECT INBOX"), /^\* 5 EXISTS\r\n/m);
    const reply = await raw.command("f1", "FETCH 1:* (UID BODY.PEEK[])");
    assert.equal(reply.match(/Hello there\. /g)?.length, 5 * 200);
    assert.match(reply, /^f1 OK/m);
    // Text this repetitive shrinks far below its size on the wire.
    assert.ok(raw.compressedBytesReceived * 5 < reply.length, `${raw.compressedBytesReceived} bytes`);
    assert.match(await raw.command("z1", "COMPRESS DEFLATE"), /^z1 NO \[COMPRESSIONACTIVE\]/m);
    assert.match(await raw.command("o1", "LOGOUT"), /^\* BYE/m);
    raw.close();
  });

  it("sends IDLE notifications at once instead of leaving them in the compressor", async () => {
    const user = nextUser();
    const watcher = await compressed(user);
    assert.match(await watcher.command("s1", "SELECT INBOX"), /^s1 OK/m);
    watcher.write("i1 IDLE\r\n");
    await watcher.waitFor((received) => received.includes("+ idling"));
    const writer = await login(user);
    assert.match(await append(writer, "a1", message("news")), /^a1 OK/m);
    await watcher.waitFor((received) => /\* 1 EXISTS\r\n/.test(received));
    watcher.write("DONE\r\n");
    assert.match(await watcher.untilTagged("i1"), /^i1 OK/m);
    writer.close();
    watcher.close();
  });

  it("compresses above TLS", async () => {
    const raw = await compressed(nextUser(), true);
    assert.match(await append(raw, "a1", message("secret")), /^a1 OK/m);
    assert.match(await raw.command("s1", "SELECT INBOX"), /^s1 OK/m);
    assert.match(await raw.command("f1", "FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]"), /Subject: secret/);
    raw.close();
  });

  it("closes the connection on corrupt DEFLATE input", async () => {
    const raw = await login(nextUser());
    assert.match(await raw.command("z0", "COMPRESS DEFLATE"), /^z0 OK/m);
    // 0xff starts a block of the reserved type 3: invalid in any raw DEFLATE stream.
    raw.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    await raw.waitFor(() => raw.isClosed).catch(() => {});
    assert.ok(raw.isClosed);
  });

  it("is negotiated by imapflow, which then fetches and hears IDLE news through it", async () => {
    const user = nextUser();
    const client = imapFlowClient(t.port("imap"), user);
    await client.connect();
    // imapflow keeps no public flag for it; its deflate stream exists once COMPRESS succeeded.
    assert.ok((client as unknown as { _deflate?: unknown })._deflate, "imapflow compresses");
    await client.append("INBOX", message("first"));
    const lock = await client.getMailboxLock("INBOX");
    try {
      const exists = new Promise<number>((resolve) => client.on("exists", (data) => resolve(data.count)));
      const idling = client.idle();
      const writer = await login(user);
      assert.match(await append(writer, "a1", message("second")), /^a1 OK/m);
      assert.equal(await exists, 2);
      writer.close();
      const subjects: string[] = [];
      for await (const fetched of client.fetch("1:*", { envelope: true })) {
        subjects.push(fetched.envelope?.subject ?? "");
      }
      assert.deepEqual(subjects, ["first", "second"]);
      await idling;
    } finally {
      lock.release();
    }
    await client.logout();
  });
});

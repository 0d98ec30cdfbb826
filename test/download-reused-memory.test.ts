// Downloads whose bodies go through reused memory (kit/reused-buffers.ts: the SQLite store copies bodies
// into buffers sessions give back once their bytes have left; docs/performance.md "Bodies read into
// reused memory"). A buffer given back too early would send one client another message's bytes, so:
// while one IMAP client and one POP3 client stop reading with megabytes of pipelined downloads still to
// send them, another IMAP session downloads its own mailbox twice through the same pool; every body each
// of them receives must be its own message, byte for byte.
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { NATIVE_ENV, nativeBodyCopy } from "../src/store/sqlite/native-body-copy.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

/** Messages per account: about 7 MB each, more than the kernel buffers a client that stopped reading. */
const MESSAGES = 600;

/** Message `n` of account `who`: every line names both, some lines start with a dot (POP3 stuffs them). */
function message(who: string, n: number): Buffer {
  const size = 2_000 + ((n * 7_919) % 22_000);
  const lines = [`From: ${who}@example.test`, `Subject: ${who} message ${n}`, ""];
  let bytes = lines.join("\r\n").length;
  for (let line = 0; bytes < size; line++) {
    const text = `${line % 40 === 7 ? "." : ""}${who} ${n} line ${line} ${"x".repeat(line % 61)}`;
    lines.push(text);
    bytes += text.length + 2;
  }
  return Buffer.from(`${lines.join("\r\n")}\r\n`);
}

/** A socket whose received bytes are kept whole, to be read when the test lets it. */
class ByteClient {
  #chunks: Buffer[] = [];
  #received = 0;
  #wake: (() => void) | null = null;

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#received += chunk.length;
      this.#wake?.();
    });
  }

  static async connect(port: number): Promise<ByteClient> {
    const socket = connect({ host: "127.0.0.1", port });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new ByteClient(socket);
  }

  get received(): number {
    return this.#received;
  }

  /**
   * Everything received (since the last take) once `isDone`, shown the last 200 bytes of it, says it is
   * complete; the whole is joined only then.
   */
  async until(isDone: (text: string) => boolean, timeoutMs = 30_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (isDone(this.#tail(200))) {
        const all = Buffer.concat(this.#chunks);
        this.#chunks = [all];
        return all;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${this.#received} bytes`);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 200);
      });
      this.#wake = null;
    }
  }

  take(): void {
    this.#chunks = [];
  }

  /** The last `bytes` bytes received since the last take, as latin1 text. */
  #tail(bytes: number): string {
    let from = this.#chunks.length;
    let length = 0;
    while (from > 0 && length < bytes) length += (this.#chunks[--from] as Buffer).length;
    const tail = Buffer.concat(this.#chunks.slice(from));
    return tail.toString("latin1", Math.max(0, tail.length - bytes));
  }

  send(text: string): void {
    this.socket.write(text);
  }
}

/** The bodies of `* n FETCH (… BODY[] {size}` responses, by UID, checked to be answered OK in order. */
function imapBodies(wire: Buffer): Map<number, Buffer> {
  const bodies = new Map<number, Buffer>();
  const text = wire.toString("latin1");
  const literal = /\* \d+ FETCH \(([^{\r\n]*)\{(\d+)\}\r\n/g;
  for (let match = literal.exec(text); match !== null; match = literal.exec(text)) {
    const start = match.index + match[0].length;
    const end = start + Number(match[2]);
    const lineEnd = text.indexOf("\r\n", end);
    const uid = /UID (\d+)/.exec(`${match[1]} ${text.slice(end, lineEnd)}`);
    assert.ok(uid, "each FETCH carries its UID");
    bodies.set(Number(uid[1]), wire.subarray(start, end));
    literal.lastIndex = lineEnd;
  }
  return bodies;
}

/** The messages of pipelined POP3 RETRs: each "+OK" line, the stuffed body, the terminator. */
function pop3Bodies(wire: Buffer): Buffer[] {
  const bodies: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = wire.indexOf("\r\n", at);
    if (lineEnd < 0) return bodies;
    const status = wire.toString("latin1", at, lineEnd);
    if (!status.startsWith("+OK") || !status.includes("octets")) {
      at = lineEnd + 2;
      continue;
    }
    const end = wire.indexOf("\r\n.\r\n", lineEnd);
    const stuffed = wire.toString("latin1", lineEnd + 2, end + 2);
    bodies.push(Buffer.from(stuffed.replace(/^\.\./gm, "."), "latin1"));
    at = end + 5;
  }
}

async function imapLogin(port: number, address: string): Promise<ByteClient> {
  const client = await ByteClient.connect(port);
  await client.until((text) => text.includes("\r\n"));
  client.send(`l LOGIN ${address} ${TEST_PASSWORD}\r\ns SELECT INBOX\r\n`);
  await client.until((text) => /\r\ns OK/.test(text) || text.startsWith("s OK"));
  client.take();
  return client;
}

/** A shuffled 1…count, the same every run. */
function shuffled(count: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i + 1);
  let seed = 42;
  for (let i = order.length - 1; i > 0; i--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

describe("downloads through reused body memory", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    const { services } = t.server;
    for (const who of ["slow", "fast", "pop"]) {
      await t.addUser(`${who}@example.test`);
      const account = await services.users.require(`${who}@example.test`);
      const inbox = await services.mailboxes.require(account.id, "INBOX");
      const messages = Array.from({ length: MESSAGES }, (_, i) => {
        const body = message(who, i + 1);
        return { blobHash: services.store.blobs.hashOf(body), body };
      });
      // Given as `body`, each is stored in the database with its entry, as delivery and APPEND store them.
      for (let i = 0; i < messages.length; i += 100) {
        await services.messages.appendBlobs(account.id, inbox.id, messages.slice(i, i + 100));
      }
    }
  });
  after(async () => {
    await t?.stop();
  });

  it("reads bodies into reused memory here (the addon is built), unless turned off", () => {
    if (process.env[NATIVE_ENV] === "off") return;
    assert.notEqual(nativeBodyCopy, null);
    assert.equal(typeof t.server.services.store.blobs.readWholeInto, "function");
  });

  it("a FETCH of one message (answered without fetch()'s awaits) matches the same message in a FETCH of two", async () => {
    const client = await imapLogin(t.port("imap"), "fast@example.test");
    const responseOf = async (command: string, uid: number): Promise<string> => {
      client.send(`${command}\r\n`);
      const wire = (await client.until((text) => /(^|\r\n)x (OK|NO|BAD)[^\r]*\r\n$/.test(text))).toString(
        "latin1",
      );
      client.take();
      const line = wire.split(/(?=^\* \d+ FETCH )/m).find((part) => part.includes(`UID ${uid} `));
      assert.ok(line, `${command}: a response for UID ${uid} in ${wire.slice(0, 200)}`);
      return line.replace(/x OK[^\r]*\r\n$/, "");
    };
    for (const items of [
      "BODY.PEEK[]",
      "FLAGS BODY.PEEK[]",
      "UID INTERNALDATE RFC822.SIZE FLAGS BODY.PEEK[]",
      "BINARY.PEEK[]",
    ]) {
      const alone = await responseOf(`x UID FETCH 7 (${items})`, 7);
      const withAnother = await responseOf(`x UID FETCH 7:8 (${items})`, 7);
      assert.equal(alone, withAnother, items);
      assert.ok(alone.includes(message("fast", 7).toString("latin1")), `${items}: the body`);
    }
    // By message number, and not a body: the same answers as before.
    assert.equal(
      await responseOf("x FETCH 7 (UID BODY.PEEK[])", 7),
      await responseOf("x FETCH 7:8 (UID BODY.PEEK[])", 7),
    );
    client.socket.destroy();
  });

  it("clients that stop reading get their own bytes while another session reuses the pool", async () => {
    const order = shuffled(MESSAGES);
    const slow = await imapLogin(t.port("imap"), "slow@example.test");
    slow.socket.pause();
    slow.send(`${order.map((uid) => `f${uid} UID FETCH ${uid} (BODY.PEEK[])\r\n`).join("")}done NOOP\r\n`);

    const pop = await ByteClient.connect(t.port("pop3"));
    await pop.until((text) => text.includes("\r\n"));
    pop.send(`USER pop@example.test\r\nPASS ${TEST_PASSWORD}\r\n`);
    await pop.until((text) => /\+OK[^\r]*\r\n\+OK[^\r]*\r\n$/.test(text));
    pop.take();
    pop.socket.pause();
    pop.send(`${order.map((n) => `RETR ${n}\r\n`).join("")}STAT\r\n`);

    // Meanwhile another session downloads all of its mail twice, taking and giving back pool buffers.
    const fast = await imapLogin(t.port("imap"), "fast@example.test");
    for (let round = 0; round < 2; round++) {
      for (let from = 0; from < MESSAGES; from += 50) {
        const batch = order.slice(from, from + 50);
        fast.send(batch.map((uid) => `g${uid} UID FETCH ${uid} (BODY.PEEK[])\r\n`).join(""));
        const wire = await fast.until((text) => text.includes(`g${batch.at(-1)} OK`));
        fast.take();
        const bodies = imapBodies(wire);
        for (const uid of batch) assert.deepEqual(bodies.get(uid), message("fast", uid), `fast ${uid}`);
      }
    }
    assert.ok(slow.received < 1024 * 1024, "the slow clients had not read their downloads yet");
    assert.ok(pop.received < 1024 * 1024, "the slow clients had not read their downloads yet");

    slow.socket.resume();
    const slowWire = await slow.until((text) => text.includes("done OK"), 60_000);
    const slowBodies = imapBodies(slowWire);
    assert.equal(slowBodies.size, MESSAGES);
    for (const uid of order) assert.deepEqual(slowBodies.get(uid), message("slow", uid), `slow ${uid}`);

    pop.socket.resume();
    // STAT after the RETRs: its reply ends the stream (a body line cannot end it: each ends in ".").
    const popWire = await pop.until(
      (text) => new RegExp(`\r\n\\+OK ${MESSAGES} \\d+\r\n$`).test(text),
      60_000,
    );
    const retrieved = pop3Bodies(popWire);
    assert.equal(retrieved.length, MESSAGES);
    retrieved.forEach((body, i) => {
      assert.deepEqual(body, message("pop", order[i] as number), `pop ${order[i]}`);
    });
    slow.socket.destroy();
    pop.socket.destroy();
    fast.socket.destroy();
  });
});

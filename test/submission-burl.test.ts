// BURL (RFC 4468) with IMAP URLAUTH (RFC 4467): a draft saved over IMAP is sent through submission by
// reference, without uploading it again, and arrives at a local recipient byte-exact (below the trace
// fields delivery adds); BDAT chunks and BURL mix; a URL not authorized for submission, a forged token
// and BURL before AUTH are refused and nothing is delivered.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectPlainClient, type LineClient } from "../src/net/line-client.testkit.js";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { readReply } from "./helpers/inbound-server.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";
const BOB = "bob@example.test";

function draft(subject: string): Buffer {
  return Buffer.from(
    [
      `From: Alice <${ALICE}>`,
      `To: Bob <${BOB}>`,
      `Subject: ${subject}`,
      "Date: Thu, 26 Nov 2026 10:00:00 +0000",
      `Message-ID: <${subject.replaceAll(" ", ".")}@example.test>`,
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: 8bit",
      "",
      "Gr\u00fc\u00dfe from the phone.",
      ".a line starting with a dot",
      "trailing spaces   ",
      "",
    ].join("\r\n"),
    "utf8",
  );
}

describe("BURL with URLAUTH", () => {
  let server: TestServer;
  let imap: RawImap;

  before(async () => {
    server = await startTestServer();
    await server.addUser(ALICE);
    await server.addUser(BOB);
    imap = await RawImap.loggedIn(server.port("imap"), ALICE, TEST_PASSWORD);
  });
  after(async () => {
    imap.close();
    await server.stop();
  });

  /** Saves a draft in Alice's Drafts and returns a URLAUTH URL for it with `access`. */
  async function saveDraft(bytes: Buffer, access: string): Promise<string> {
    imap.write(`a APPEND Drafts (\\Draft) {${bytes.length}+}\r\n`);
    imap.write(bytes);
    imap.write("\r\n");
    const appended = await imap.untilTagged("a");
    const uid = /\[APPENDUID (\d+) (\d+)\]/.exec(appended);
    assert.ok(uid, appended);
    const rump = `imap://alice%40example.test@localhost/Drafts;UIDVALIDITY=${uid[1]}/;UID=${uid[2]};URLAUTH=${access}`;
    const reply = await imap.command("g", `GENURLAUTH "${rump}" INTERNAL`);
    const url = /^\* GENURLAUTH "([^"]+)"/m.exec(reply)?.[1];
    assert.ok(url, reply);
    return url;
  }

  async function submission(): Promise<LineClient> {
    const client = await connectPlainClient(server.port("submission"));
    await readReply(client);
    client.write("EHLO phone.example\r\n");
    await readReply(client);
    const token = Buffer.from(`\u0000${ALICE}\u0000${TEST_PASSWORD}`).toString("base64");
    client.write(`AUTH PLAIN ${token}\r\n`);
    assert.match((await readReply(client)).at(-1) ?? "", /^235 /);
    return client;
  }

  const say = async (client: LineClient, line: string): Promise<string> => {
    client.write(`${line}\r\n`);
    return (await readReply(client)).at(-1) ?? "";
  };

  /** Bob's INBOX message with this subject, as stored. */
  async function received(subject: string): Promise<Buffer | undefined> {
    const client = imapFlowClient(server.port("imap"), BOB);
    await client.connect();
    try {
      const lock = await client.getMailboxLock("INBOX");
      try {
        const uids = (await client.search({ subject }, { uid: true })) || [];
        if (uids.length === 0) return undefined;
        const message = await client.fetchOne(String(uids[0]), { source: true }, { uid: true });
        return message ? message.source : undefined;
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  }

  /** The stored bytes without the trace fields delivery puts on top (Return-Path, Delivered-To, Received). */
  function withoutTrace(stored: Buffer): Buffer {
    const text = stored.toString("latin1");
    const trace = /^(?:(?:Return-Path|Delivered-To|Received):[^\r]*\r\n(?:[ \t][^\r]*\r\n)*)+/.exec(text);
    return stored.subarray(trace?.[0].length ?? 0);
  }

  it("EHLO offers BURL imap on submission", async () => {
    const client = await connectPlainClient(server.port("submission"));
    await readReply(client);
    client.write("EHLO phone.example\r\n");
    assert.ok((await readReply(client)).some((line) => /^250[- ]BURL imap$/.test(line)));
    client.socket.destroy();
  });

  it("sends a draft by reference; it arrives byte-exact", async () => {
    const bytes = draft("sent by burl");
    const url = await saveDraft(bytes, "submit+alice%40example.test");
    const client = await submission();
    assert.match(await say(client, `MAIL FROM:<${ALICE}>`), /^250 /);
    assert.match(await say(client, `RCPT TO:<${BOB}>`), /^250 /);
    assert.match(await say(client, `BURL ${url} LAST`), /^250 2\.0\.0 /);
    client.socket.destroy();
    const stored = await received("sent by burl");
    assert.ok(stored, "delivered to Bob");
    assert.ok(withoutTrace(stored).equals(bytes), stored.toString("latin1"));
  });

  it("mixes BDAT and BURL: new header fields in a chunk, then the draft", async () => {
    const bytes = draft("burl after bdat");
    const url = await saveDraft(bytes, "submit+alice%40example.test");
    const client = await submission();
    assert.match(await say(client, `MAIL FROM:<${ALICE}>`), /^250 /);
    assert.match(await say(client, `RCPT TO:<${BOB}>`), /^250 /);
    const prefix = "X-Sent-From: phone\r\n";
    client.write(`BDAT ${prefix.length}\r\n${prefix}`);
    assert.match((await readReply(client)).at(-1) ?? "", /^250 /);
    assert.match(await say(client, `BURL ${url}`), /^250 2\.0\.0 \d+ octets added/);
    assert.match(await say(client, "BDAT 0 LAST"), /^250 2\.0\.0 /);
    client.socket.destroy();
    const stored = await received("burl after bdat");
    assert.ok(stored);
    assert.ok(withoutTrace(stored).equals(Buffer.concat([Buffer.from(prefix), bytes])));
  });

  it("refuses a URL not made for submission, a forged token, and BURL before AUTH", async () => {
    const forImapUsers = await saveDraft(draft("not for submission"), "user+bob%40example.test");
    const forSubmit = await saveDraft(draft("forged token"), "submit+alice%40example.test");
    const forged = forSubmit.replace(/[0-9a-f]$/, (c) => (c === "0" ? "1" : "0"));
    const client = await submission();
    for (const url of [forImapUsers, forged]) {
      assert.match(await say(client, `MAIL FROM:<${ALICE}>`), /^250 /);
      assert.match(await say(client, `RCPT TO:<${BOB}>`), /^250 /);
      assert.match(await say(client, `BURL ${url} LAST`), /^554 5\.6\.6 /);
      // The transaction is over: a new one needs MAIL again.
      assert.match(await say(client, `RCPT TO:<${BOB}>`), /^503 /);
    }
    assert.match(await say(client, "BURL"), /^501 /);
    client.socket.destroy();
    const anonymous = await connectPlainClient(server.port("submission"));
    await readReply(anonymous);
    assert.match(await say(anonymous, "EHLO phone.example"), /^250 /);
    assert.match(await say(anonymous, `BURL ${forSubmit} LAST`), /^530 5\.7\.0 /);
    anonymous.socket.destroy();
    assert.equal(await received("not for submission"), undefined);
    assert.equal(await received("forged token"), undefined);
  });
});

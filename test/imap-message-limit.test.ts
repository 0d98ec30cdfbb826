// RFC 9738 MESSAGELIMIT and SAVELIMIT over real sockets, with [imap] message_limit = 5 and save_limit = 3
// on a mailbox of 8 messages: commands by message number over the limit are refused with NO [LIMIT] and
// change nothing; UID commands handle the 5 lowest UIDs and answer OK [LIMIT]; MULTIAPPEND of more
// messages is refused; SEARCH RETURN (SAVE) keeps at most 3 UIDs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const message = (n: number) => `From: a@example.test\r\nSubject: m${n}\r\n\r\nbody ${n}\r\n`;

describe("IMAP MESSAGELIMIT and SAVELIMIT (RFC 9738)", () => {
  let t: TestServer;
  let port: number;
  let userCount = 0;

  before(async () => {
    t = await startTestServer((config) => ({
      ...config,
      imap: { ...config.imap, messageLimit: 5, saveLimit: 3 },
    }));
    port = t.port("imap");
  });
  after(async () => {
    await t.stop();
  });

  /** A fresh user whose INBOX holds 8 messages, selected. */
  async function inboxOfEight(): Promise<RawImap> {
    const user = `limit${++userCount}@example.test`;
    await t.addUser(user);
    const raw = await RawImap.connect(port);
    raw.take();
    assert.match(await raw.command("l", `LOGIN ${user} ${TEST_PASSWORD}`), /^l OK/m);
    for (let n = 1; n <= 8; n++) {
      const text = message(n);
      raw.take();
      raw.write(`a${n} APPEND INBOX {${Buffer.byteLength(text)}+}\r\n${text}\r\n`);
      assert.match(await raw.untilTagged(`a${n}`), /^a\d OK/m);
    }
    assert.match(await raw.command("s", "SELECT INBOX"), /^\* 8 EXISTS/m);
    return raw;
  }

  const count = (text: string, pattern: RegExp): number => (text.match(pattern) ?? []).length;

  it("advertises MESSAGELIMIT and SAVELIMIT after login only", async () => {
    const raw = await RawImap.connect(port);
    assert.doesNotMatch(await raw.command("c", "CAPABILITY"), /MESSAGELIMIT/);
    raw.close();
    const user = await inboxOfEight();
    const caps = await user.command("c", "CAPABILITY");
    assert.match(caps, / MESSAGELIMIT=5( |\r)/);
    assert.match(caps, / SAVELIMIT=3( |\r)/);
    user.close();
  });

  it("refuses FETCH by number over the limit and serves UID FETCH in pieces of the lowest UIDs", async () => {
    const raw = await inboxOfEight();
    const refused = await raw.command("f1", "FETCH 1:* (FLAGS)");
    assert.match(refused, /^f1 NO \[LIMIT\]/m);
    assert.equal(count(refused, /^\* \d+ FETCH/gm), 0);
    const within = await raw.command("f2", "FETCH 2:6 (FLAGS)");
    assert.match(within, /^f2 OK FETCH completed/m);
    assert.equal(count(within, /^\* \d+ FETCH/gm), 5);
    const first = await raw.command("f3", "UID FETCH 1:* (FLAGS)");
    assert.match(first, /^f3 OK \[LIMIT\]/m);
    assert.deepEqual(
      [...first.matchAll(/UID (\d+)/g)].map((m) => Number(m[1])),
      [1, 2, 3, 4, 5],
    );
    const rest = await raw.command("f4", "UID FETCH 6:* (FLAGS)");
    assert.match(rest, /^f4 OK FETCH completed/m);
    assert.deepEqual(
      [...rest.matchAll(/UID (\d+)/g)].map((m) => Number(m[1])),
      [6, 7, 8],
    );
    raw.close();
  });

  it("refuses STORE by number without changing a flag; UID STORE changes the lowest five", async () => {
    const raw = await inboxOfEight();
    assert.match(await raw.command("s1", "STORE 1:* +FLAGS (\\Flagged)"), /^s1 NO \[LIMIT\]/m);
    assert.match(await raw.command("q1", "UID SEARCH UID 1:4 FLAGGED"), /^\* SEARCH\r\n/m);
    const stored = await raw.command("s2", "UID STORE 1:* +FLAGS (\\Flagged)");
    assert.match(stored, /^s2 OK \[LIMIT\]/m);
    assert.equal(count(stored, /^\* \d+ FETCH/gm), 5);
    assert.match(await raw.command("q2", "UID SEARCH UID 1:4 FLAGGED"), /^\* SEARCH 1 2 3 4\r\n/m);
    assert.match(await raw.command("q3", "UID SEARCH UID 6:8 FLAGGED"), /^\* SEARCH\r\n/m);
    raw.close();
  });

  it("refuses SEARCH over more messages than the limit and keeps UID SEARCH to the lowest UIDs", async () => {
    const raw = await inboxOfEight();
    assert.match(await raw.command("s1", "SEARCH ALL"), /^s1 NO \[LIMIT\]/m);
    const limited = await raw.command("s2", "UID SEARCH ALL");
    assert.match(limited, /^\* SEARCH 1 2 3 4 5\r\n/m);
    assert.match(limited, /^s2 OK \[LIMIT\]/m);
    // Narrowed by a UID range the client can walk, the search is whole.
    const rest = await raw.command("s3", "UID SEARCH UID 6:* ALL");
    assert.match(rest, /^\* SEARCH 6 7 8\r\n/m);
    assert.match(rest, /^s3 OK UID SEARCH completed/m);
    assert.match(await raw.command("s4", "SEARCH 4:8 ALL"), /^\* SEARCH 4 5 6 7 8\r\n/m);
    raw.close();
  });

  it("keeps at most SAVELIMIT UIDs as $ and says so with OK [LIMIT]", async () => {
    const raw = await inboxOfEight();
    const saved = await raw.command("s1", "UID SEARCH RETURN (SAVE) UID 2:6");
    assert.match(saved, /^s1 OK \[LIMIT\]/m);
    assert.match(await raw.command("f", "UID FETCH $ (UID)"), /UID 2\)[\s\S]*UID 3\)[\s\S]*UID 4\)/);
    assert.equal(count(await raw.command("f2", "UID FETCH $ (UID)"), /^\* \d+ FETCH/gm), 3);
    assert.match(await raw.command("s2", "UID SEARCH RETURN (SAVE) UID 7:8"), /^s2 OK UID SEARCH completed/m);
    raw.close();
  });

  it("refuses COPY and MOVE by number; UID COPY and UID MOVE take the lowest five with COPYUID untagged", async () => {
    const raw = await inboxOfEight();
    assert.match(await raw.command("c0", "CREATE Kept"), /^c0 OK/m);
    assert.match(await raw.command("c1", "COPY 1:* Kept"), /^c1 NO \[LIMIT\]/m);
    assert.match(await raw.command("m1", "MOVE 1:* Kept"), /^m1 NO \[LIMIT\]/m);
    assert.match(await raw.command("st1", "STATUS Kept (MESSAGES)"), /MESSAGES 0/);
    const copied = await raw.command("c2", "UID COPY 1:* Kept");
    assert.match(copied, /^\* OK \[COPYUID \d+ 1:5 1:5\]/m);
    assert.match(copied, /^c2 OK \[LIMIT\]/m);
    const moved = await raw.command("m2", "UID MOVE 2:* Kept");
    assert.match(moved, /^\* OK \[COPYUID \d+ 2:6 6:10\]/m);
    assert.equal(count(moved, /^\* \d+ EXPUNGE/gm), 5);
    assert.match(moved, /^m2 OK \[LIMIT\]/m);
    assert.match(await raw.command("st2", "STATUS Kept (MESSAGES)"), /MESSAGES 10/);
    assert.match(await raw.command("st3", "STATUS INBOX (MESSAGES)"), /MESSAGES 3/);
    raw.close();
  });

  it("expunges the lowest five of a UID EXPUNGE set; plain EXPUNGE is not limited", async () => {
    const raw = await inboxOfEight();
    assert.match(await raw.command("s1", "UID STORE 1:5 +FLAGS.SILENT (\\Deleted)"), /^s1 OK/m);
    assert.match(await raw.command("s2", "UID STORE 6:8 +FLAGS.SILENT (\\Deleted)"), /^s2 OK/m);
    const partial = await raw.command("e1", "UID EXPUNGE 1:*");
    assert.equal(count(partial, /^\* \d+ EXPUNGE/gm), 5);
    assert.match(partial, /^e1 OK \[LIMIT\]/m);
    assert.match(await raw.command("e2", "EXPUNGE"), /^e2 OK EXPUNGE completed/m);
    assert.match(await raw.command("n", "NOOP"), /^n OK/m);
    assert.match(await raw.command("st", "STATUS INBOX (MESSAGES)"), /MESSAGES 0/);
    raw.close();
  });

  it("refuses a MULTIAPPEND of more messages than the limit and stores none of them", async () => {
    const raw = await inboxOfEight();
    const parts = Array.from({ length: 6 }, (_, i) => {
      const text = message(100 + i);
      return `{${Buffer.byteLength(text)}+}\r\n${text}`;
    });
    raw.take();
    raw.write(`m APPEND INBOX ${parts.join(" ")}\r\n`);
    assert.match(await raw.untilTagged("m"), /^m NO \[LIMIT\]/m);
    assert.match(await raw.command("st", "STATUS INBOX (MESSAGES)"), /MESSAGES 8/);
    // Five at once are fine.
    raw.take();
    raw.write(`m2 APPEND INBOX ${parts.slice(0, 5).join(" ")}\r\n`);
    assert.match(await raw.untilTagged("m2"), /^m2 OK \[APPENDUID \d+ 9:13\]/m);
    raw.close();
  });
});

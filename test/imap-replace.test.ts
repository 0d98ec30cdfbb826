// REPLACE and UID REPLACE over real sockets (RFC 8508): the draft-saving round trip in one command, the
// APPENDUID before the old message's EXPUNGE (or VANISHED), what a second session sees (EXISTS for the new
// message, EXPUNGE for the old), and the errors: TRYCREATE, BAD/NO for a missing message, READ-ONLY,
// OVERQUOTA, a REPLACE outside the selected state, each leaving the old message in place.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ADMIN = "replace-admin@example.test";
const draft = (version: number) =>
  `From: alice@example.test\r\nTo: bob@example.test\r\nSubject: draft v${version}\r\n\r\nBody of version ${version}\r\n`;

describe("IMAP REPLACE (RFC 8508)", () => {
  let t: TestServer;
  let port: number;
  let userCount = 0;
  const nextUser = (): string => `replace${++userCount}@example.test`;

  before(async () => {
    t = await startTestServer((config) => ({ ...config, imap: { ...config.imap, quotaAdmins: [ADMIN] } }));
    port = t.port("imap");
    await Promise.all([
      t.addUser(ADMIN),
      ...Array.from({ length: 8 }, (_, i) => t.addUser(`replace${i + 1}@example.test`)),
    ]);
  });
  after(async () => {
    await t.stop();
  });

  async function login(user: string): Promise<RawImap> {
    const raw = await RawImap.loggedIn(port, user, TEST_PASSWORD);
    return raw;
  }

  /** Sends a command ending in a message literal (non-synchronizing) and waits for its tagged reply. */
  async function withMessage(raw: RawImap, tag: string, head: string, text: string): Promise<string> {
    raw.take();
    raw.write(`${tag} ${head} {${Buffer.byteLength(text)}+}\r\n${text}\r\n`);
    return raw.untilTagged(tag);
  }

  /** A user whose Drafts holds versions 1..count, selected in the returned session. */
  async function draftsWith(user: string, count: number): Promise<RawImap> {
    const raw = await login(user);
    for (let v = 1; v <= count; v++) {
      assert.match(await withMessage(raw, `a${v}`, "APPEND Drafts (\\Draft)", draft(v)), /OK \[APPENDUID/);
    }
    assert.match(await raw.command("s", "SELECT Drafts"), new RegExp(`^\\* ${count} EXISTS`, "m"));
    return raw;
  }

  it("advertises REPLACE after login", async () => {
    const raw = await RawImap.connect(port);
    assert.doesNotMatch(await raw.command("c1", "CAPABILITY"), / REPLACE/);
    assert.match(await raw.command("l1", `LOGIN ${nextUser()} ${TEST_PASSWORD}`), /^l1 OK/m);
    assert.match(await raw.command("c2", "CAPABILITY"), / REPLACE( |\r)/);
    raw.close();
  });

  it("replaces a draft in the same mailbox: APPENDUID, then EXPUNGE, then EXISTS; the new one has the flags", async () => {
    const raw = await draftsWith(nextUser(), 2);
    const reply = await withMessage(raw, "r1", "REPLACE 1 Drafts (\\Seen \\Draft)", draft(3));
    assert.match(
      reply,
      /^\* OK \[APPENDUID \d+ 3\] [^\r]*\r\n\* 1 EXPUNGE\r\n\* 2 EXISTS\r\n(\* \d+ RECENT\r\n)?r1 OK REPLACE completed\r\n$/,
    );
    const fetched = await raw.command("f1", "FETCH 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
    assert.match(fetched, /^\* 1 FETCH \(UID 2 FLAGS \(\\Draft( \\Recent)?\) /m);
    assert.match(
      fetched,
      /^\* 2 FETCH \(UID 3 FLAGS \(\\Seen \\Draft( \\Recent)?\) [^\r]*\r\nSubject: draft v3/m,
    );
    // UID REPLACE names the message by UID, * being the highest.
    assert.match(
      await withMessage(raw, "r2", "UID REPLACE * Drafts", draft(4)),
      /\[APPENDUID \d+ 4\][^\r]*\r\n\* 2 EXPUNGE/,
    );
    assert.match(
      await withMessage(raw, "r3", "UID REPLACE 2 Drafts", draft(5)),
      /\[APPENDUID \d+ 5\][^\r]*\r\n\* 1 EXPUNGE/,
    );
    assert.match(await raw.command("u", "UID SEARCH ALL"), /^\* SEARCH 4 5\r\n/m);
    raw.close();
  });

  it("replaces into another mailbox with a literal8 and a date, and answers VANISHED once QRESYNC is on", async () => {
    const user = nextUser();
    const raw = await draftsWith(user, 2);
    assert.match(await raw.command("e", "ENABLE QRESYNC"), /^\* ENABLED QRESYNC/m);
    raw.take();
    const text = draft(9);
    raw.write(`r REPLACE 2 INBOX "07-Feb-1994 21:52:25 -0800" ~{${text.length}+}\r\n${text}\r\n`);
    const reply = await raw.untilTagged("r");
    assert.match(reply, /^\* OK \[APPENDUID \d+ 1\] [^\r]*\r\n\* VANISHED 2\r\nr OK/m);
    assert.doesNotMatch(reply, /EXISTS/);
    const status = await raw.command("st", "STATUS INBOX (MESSAGES)");
    assert.match(status, /MESSAGES 1\)/);
    const inbox = await login(user);
    await inbox.command("x", "SELECT INBOX");
    assert.match(
      await inbox.command("f", "FETCH 1 INTERNALDATE"),
      /INTERNALDATE "08-Feb-1994 05:52:25 \+0000"/,
    );
    inbox.close();
    raw.close();
  });

  it("shows another session in IDLE the new message's EXISTS and the old one's EXPUNGE", async () => {
    const user = nextUser();
    const writer = await draftsWith(user, 3);
    const watcher = await login(user);
    await watcher.command("s", "SELECT Drafts");
    watcher.take();
    watcher.write("i IDLE\r\n");
    await watcher.waitFor((text) => text.includes("+ idling"));
    assert.match(await withMessage(writer, "r", "REPLACE 2 Drafts (\\Draft)", draft(4)), /^r OK/m);
    const pushed = await watcher.waitFor(
      (text) => /\* 2 EXPUNGE\r\n/.test(text) && /\* \d EXISTS\r\n/.test(text),
    );
    // One transaction: the watcher never sees both drafts (4 EXISTS), only the old one going and the new one coming.
    assert.match(pushed, /\* 2 EXPUNGE\r\n\* 3 EXISTS\r\n/);
    assert.doesNotMatch(pushed, /\* 4 EXISTS/);
    watcher.write("DONE\r\n");
    await watcher.untilTagged("i");
    // A NOOP session that was not idling learns the same at its next command.
    const late = await login(user);
    await late.command("s", "SELECT Drafts");
    assert.match(await withMessage(writer, "r2", "REPLACE 3 Drafts", draft(5)), /^r2 OK/m);
    const noop = await late.command("n", "NOOP");
    assert.match(noop, /^\* 3 EXPUNGE\r\n/m);
    assert.match(noop, /^\* 3 EXISTS\r\n/m);
    for (const raw of [writer, watcher, late]) raw.close();
  });

  it("leaves the old message in place when the mailbox is missing, the number is wrong or the state is wrong", async () => {
    const raw = await draftsWith(nextUser(), 2);
    assert.match(await withMessage(raw, "r1", "REPLACE 1 Nowhere", draft(3)), /^r1 NO \[TRYCREATE\]/m);
    assert.match(await withMessage(raw, "r2", "REPLACE 3 Drafts", draft(3)), /^r2 BAD /m);
    assert.match(await withMessage(raw, "r3", "UID REPLACE 99 Drafts", draft(3)), /^r3 NO /m);
    assert.match(await raw.command("u1", "UID SEARCH ALL"), /^\* SEARCH 1 2\r\n/m);
    // The refused messages were never appended, and the next APPEND is not mixed up with them.
    assert.match(await withMessage(raw, "a", "APPEND Drafts", draft(4)), /\[APPENDUID \d+ 3\]/);
    assert.match(await raw.command("x", "EXAMINE Drafts"), /^x OK \[READ-ONLY\]/m);
    assert.match(await withMessage(raw, "r4", "REPLACE 1 Drafts", draft(5)), /^r4 NO \[READ-ONLY\]/m);
    assert.match(await raw.command("c", "CLOSE"), /^c OK/m);
    assert.match(await withMessage(raw, "r5", "REPLACE 1 Drafts", draft(5)), /^r5 BAD /m);
    assert.match(await raw.command("st", "STATUS Drafts (MESSAGES UIDNEXT)"), /MESSAGES 3 UIDNEXT 4/);
    raw.close();
  });

  it("replaces at the quota limit, and answers NO [OVERQUOTA] keeping the old message when the result would not fit", async () => {
    const user = nextUser();
    const raw = await draftsWith(user, 2);
    const admin = await login(ADMIN);
    assert.match(await admin.command("q", `SETQUOTA "${user}" (MESSAGE 2)`), /^q OK/m);
    // The quota counts the result: the old draft leaves as the new one arrives.
    assert.match(await withMessage(raw, "r0", "REPLACE 1 Drafts", draft(3)), /^r0 OK/m);
    assert.match(await admin.command("q2", `SETQUOTA "${user}" (MESSAGE 1)`), /^q2 OK/m);
    admin.close();
    assert.match(await withMessage(raw, "r", "REPLACE 1 Drafts", draft(4)), /^r NO \[OVERQUOTA\]/m);
    assert.match(await raw.command("u", "UID SEARCH ALL"), /^\* SEARCH 2 3\r\n/m);
    raw.close();
  });
});

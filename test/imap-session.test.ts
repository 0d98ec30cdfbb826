// IMAP sessions over real sockets: greeting and capabilities, LOGIN/AUTHENTICATE, STARTTLS and
// implicit TLS, state rules, APPEND (with MULTIAPPEND and limits), SELECT/EXAMINE, \Recent, COPY/MOVE,
// EXPUNGE/CLOSE/UNSELECT, IDLE push, mailbox management — with imapflow, imaplib and raw bytes.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { ImapFlow } from "imapflow";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const run = promisify(execFile);

const MESSAGE = (subject: string, body = "Hello there.") =>
  `From: Bob <bob@example.test>\r\nTo: alice@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, "")}@example.test>\r\n\r\n${body}\r\n`;

describe("IMAP sessions", () => {
  let t: TestServer;
  let port: number;
  const login = (user: string) => `LOGIN ${user} ${TEST_PASSWORD}`;

  before(async () => {
    t = await startTestServer();
    port = t.port("imap");
    for (const user of ["alice", "bob", "carol", "dave", "erin", "frank"])
      await t.addUser(`${user}@example.test`);
  });
  after(async () => {
    await t.stop();
  });

  function flow(user: string, options: { secure?: boolean } = {}): ImapFlow {
    return new ImapFlow({
      host: "127.0.0.1",
      port: options.secure ? t.port("imap", true) : port,
      secure: options.secure ?? false,
      auth: { user, pass: TEST_PASSWORD },
      logger: false,
      tls: { rejectUnauthorized: false },
    });
  }

  it("greets with its capabilities and offers STARTTLS and plaintext auth on loopback", async () => {
    const raw = await RawImap.connect(port);
    const greeting = raw.take();
    assert.match(greeting, /^\* OK \[CAPABILITY IMAP4rev1 IMAP4rev2 [^\]]*STARTTLS[^\]]*AUTH=PLAIN/);
    const caps = await raw.command("a1", "CAPABILITY");
    assert.match(caps, /^\* CAPABILITY .*IMAP4rev2.*\r\na1 OK/);
    const after = await raw.command("a2", login("alice@example.test"));
    assert.match(after, /^a2 OK \[CAPABILITY [^\]]*MOVE[^\]]*\] Logged in/);
    assert.match(await raw.command("a3", "LOGOUT"), /^\* BYE .*\r\na3 OK/);
    await raw.waitFor(() => raw.isClosed);
  });

  it("refuses wrong credentials alike for unknown users and wrong passwords", async () => {
    const raw = await RawImap.connect(port);
    const wrongPassword = await raw.command("a1", "LOGIN alice@example.test wrong-password");
    const unknownUser = await raw.command("a2", `LOGIN nobody@example.test ${TEST_PASSWORD}`);
    assert.equal(wrongPassword, "a1 NO [AUTHENTICATIONFAILED] Authentication failed\r\n");
    assert.equal(unknownUser, "a2 NO [AUTHENTICATIONFAILED] Authentication failed\r\n");
    raw.close();
  });

  it("authenticates with SASL PLAIN (with and without initial response) and LOGIN", async () => {
    const plain = Buffer.from(`\u0000alice@example.test\u0000${TEST_PASSWORD}`).toString("base64");
    let raw = await RawImap.connect(port);
    assert.match(await raw.command("a1", `AUTHENTICATE PLAIN ${plain}`), /^a1 OK \[CAPABILITY/);
    raw.close();

    raw = await RawImap.connect(port);
    raw.take();
    raw.write("a1 AUTHENTICATE PLAIN\r\n");
    await raw.waitFor((text) => text.startsWith("+"));
    raw.take();
    raw.write(`${plain}\r\n`);
    assert.match(await raw.untilTagged("a1"), /^a1 OK/);
    raw.close();

    raw = await RawImap.connect(port);
    raw.take();
    raw.write("a1 AUTHENTICATE LOGIN\r\n");
    await raw.waitFor((text) => text === `+ ${Buffer.from("Username:").toString("base64")}\r\n`);
    raw.take();
    raw.write(`${Buffer.from("alice@example.test").toString("base64")}\r\n`);
    await raw.waitFor((text) => text === `+ ${Buffer.from("Password:").toString("base64")}\r\n`);
    raw.take();
    raw.write(`${Buffer.from(TEST_PASSWORD).toString("base64")}\r\n`);
    assert.match(await raw.untilTagged("a1"), /^a1 OK/);
    raw.close();

    raw = await RawImap.connect(port);
    raw.take();
    raw.write("a1 AUTHENTICATE PLAIN\r\n");
    await raw.waitFor((text) => text.startsWith("+"));
    raw.take();
    raw.write("*\r\n");
    assert.match(await raw.untilTagged("a1"), /^a1 BAD/);
    assert.match(await raw.command("a2", "NOOP"), /^a2 OK/, "the session goes on after a cancelled exchange");
    raw.close();
  });

  it("enforces the command states and answers junk with BAD, then keeps serving", async () => {
    const raw = await RawImap.connect(port);
    assert.match(await raw.command("a1", "SELECT INBOX"), /^a1 BAD Log in first/);
    assert.match(await raw.command("a2", "FROBNICATE"), /^a2 BAD/);
    raw.take();
    raw.write("\u0000\u0001garbage without tag\r\n");
    await raw.waitFor((text) => /BAD/.test(text));
    assert.match(await raw.command("a3", login("alice@example.test")), /^a3 OK/);
    assert.match(await raw.command("a4", "FETCH 1 FLAGS"), /^a4 BAD/, "FETCH needs a selected mailbox");
    assert.match(await raw.command("a5", "LOGIN x y"), /^a5 BAD/, "LOGIN only before authentication");
    raw.close();
  });

  it("closes the connection after too many bad commands in a row", async () => {
    const raw = await RawImap.connect(port);
    raw.take();
    for (let i = 0; i < 25; i++) raw.write(`x${i} NONSENSE\r\n`);
    await raw.waitFor((text) => text.includes("* BYE Too many invalid commands"));
    await raw.waitFor(() => raw.isClosed);
  });

  it("upgrades with STARTTLS and ignores commands pipelined before the handshake (starttls injection)", async () => {
    const raw = await RawImap.connect(port);
    raw.take();
    raw.write(`a1 STARTTLS\r\na2 ${login("alice@example.test")}\r\n`);
    await raw.waitFor((text) => text.includes("a1 OK"));
    assert.doesNotMatch(raw.take(), /a2/);
    await raw.upgradeToTls();
    const caps = await raw.command("a3", "CAPABILITY");
    assert.doesNotMatch(caps, /STARTTLS/, "no STARTTLS once TLS is on");
    assert.match(await raw.command("a4", "NOOP"), /^a4 OK/);
    assert.match(
      await raw.command("a5", "SELECT INBOX"),
      /^a5 BAD Log in first/,
      "the injected LOGIN never ran",
    );
    raw.close();
  });

  it("speaks implicit TLS on the IMAPS listener", async () => {
    const raw = await RawImap.connect(t.port("imap", true), { tls: true });
    assert.match(raw.take(), /^\* OK \[CAPABILITY [^\]]*AUTH=PLAIN/);
    assert.doesNotMatch(await raw.command("a1", "CAPABILITY"), /STARTTLS/);
    assert.match(await raw.command("a2", login("alice@example.test")), /^a2 OK/);
    raw.close();
  });

  it("appends with flags and date, answers APPENDUID, and refuses a missing mailbox with TRYCREATE", async () => {
    const raw = await RawImap.connect(port);
    await raw.command("a1", login("bob@example.test"));
    const message = MESSAGE("append one");
    raw.take();
    raw.write(`a2 APPEND INBOX (\\Seen $Important) "05-Mar-2026 10:11:12 +0100" {${message.length}}\r\n`);
    await raw.waitFor((text) => text.startsWith("+ "));
    raw.take();
    raw.write(`${message}\r\n`);
    assert.match(await raw.untilTagged("a2"), /^a2 OK \[APPENDUID \d+ 1\] APPEND completed/);
    const literalPlus = MESSAGE("append two");
    assert.match(
      await raw.command("a3", `APPEND INBOX {${literalPlus.length}+}\r\n${literalPlus}`),
      /^a3 OK \[APPENDUID \d+ 2\]/,
    );
    assert.match(
      await raw.command("a4", `APPEND Nowhere {${literalPlus.length}+}\r\n${literalPlus}`),
      /^a4 NO \[TRYCREATE\]/,
    );
    const account = await t.server.services.users.require("bob@example.test");
    const inbox = await t.server.services.mailboxes.require(account.id, "INBOX");
    const [first] = await t.server.services.store.messages.listEntries(inbox.id);
    assert.deepEqual([...(first?.flags.system ?? [])], ["\\Seen"]);
    assert.deepEqual(first?.flags.keywords, ["$Important"]);
    assert.equal(first?.internalDateMs, Date.UTC(2026, 2, 5, 9, 11, 12));
    raw.close();
  });

  it("appends several messages atomically with MULTIAPPEND", async () => {
    const raw = await RawImap.connect(port);
    await raw.command("a1", login("carol@example.test"));
    const one = MESSAGE("multi one");
    const two = MESSAGE("multi two");
    const reply = await raw.command(
      "a2",
      `APPEND INBOX {${one.length}+}\r\n${one} (\\Flagged) {${two.length}+}\r\n${two}`,
    );
    assert.match(reply, /^a2 OK \[APPENDUID \d+ 1:2\]/);
    raw.close();
  });

  it("refuses an oversized literal with TOOBIG and keeps the session (oversized-append)", async () => {
    const raw = await RawImap.connect(port);
    await raw.command("a1", login("carol@example.test"));
    assert.match(await raw.command("a2", "APPEND INBOX {999999999999}"), /^a2 (NO \[TOOBIG\]|BAD)/);
    assert.match(await raw.command("a3", "NOOP"), /^a3 OK/);
    raw.close();
  });

  it("describes a mailbox on SELECT and EXAMINE and gives \\Recent to exactly one session", async () => {
    const raw = await RawImap.connect(port);
    await raw.command("a1", login("dave@example.test"));
    const message = MESSAGE("recent");
    await raw.command("a2", `APPEND INBOX {${message.length}+}\r\n${message}`);
    const examine = await raw.command("a3", "EXAMINE INBOX");
    assert.match(examine, /\* 1 EXISTS\r\n/);
    assert.match(examine, /\* 1 RECENT\r\n/, "EXAMINE shows recent messages without taking them");
    assert.match(examine, /\* OK \[UIDVALIDITY \d+\]/);
    assert.match(examine, /\* OK \[UIDNEXT 2\]/);
    assert.match(examine, /a3 OK \[READ-ONLY\]/);
    const select = await raw.command("a4", "SELECT INBOX");
    assert.match(select, /\* OK \[CLOSED\]/);
    assert.match(select, /\* 1 RECENT\r\n/);
    assert.match(select, /a4 OK \[READ-WRITE\]/);
    const second = await RawImap.connect(port);
    await second.command("b1", login("dave@example.test"));
    assert.match(
      await second.command("b2", "SELECT INBOX"),
      /\* 0 RECENT\r\n/,
      "already claimed by the first session",
    );
    raw.close();
    second.close();
  });

  it("announces a new message as \\Recent to exactly one of several selected sessions", async () => {
    const sessions = await Promise.all([0, 1, 2].map(() => RawImap.connect(port)));
    for (const [i, s] of sessions.entries()) {
      await s.command(`l${i}`, login("erin@example.test"));
      await s.command(`s${i}`, "SELECT INBOX");
    }
    await t.server.services.messages.append(
      (await t.server.services.users.require("erin@example.test")).id,
      (
        await t.server.services.mailboxes.require(
          (
            await t.server.services.users.require("erin@example.test")
          ).id,
          "INBOX",
        )
      ).id,
      Buffer.from(MESSAGE("for one session")),
    );
    const replies = [];
    for (const [i, s] of sessions.entries()) replies.push(await s.command(`n${i}`, "NOOP"));
    for (const reply of replies) assert.match(reply, /\* 1 EXISTS\r\n/);
    const recentCounts = replies.map((reply) => Number(/\* (\d+) RECENT/.exec(reply)?.[1]));
    assert.deepEqual(recentCounts.sort(), [0, 0, 1]);
    for (const s of sessions) s.close();
  });

  it("copies and moves with COPYUID, expunges \\Deleted, and CLOSE/UNSELECT behave per RFC", async () => {
    const client = flow("frank@example.test");
    await client.connect();
    for (let i = 1; i <= 4; i++) await client.append("INBOX", MESSAGE(`msg ${i}`));
    await client.mailboxOpen("INBOX");
    const copied = await client.messageCopy("1:2", "Archive");
    assert.ok(copied);
    assert.equal(copied.destination, "Archive");
    assert.deepEqual(
      [...(copied.uidMap?.entries() ?? [])],
      [
        [1, 1],
        [2, 2],
      ],
    );
    const expunged: number[] = [];
    client.on("expunge", (event: { seq: number }) => expunged.push(event.seq));
    const moved = await client.messageMove("3", "Trash");
    assert.ok(moved);
    assert.deepEqual([...(moved.uidMap?.entries() ?? [])], [[3, 1]]);
    assert.equal(client.mailbox ? client.mailbox.exists : 0, 3);
    await client.logout();

    const raw = await RawImap.connect(port);
    await raw.command("a1", login("frank@example.test"));
    await raw.command("a2", "SELECT INBOX");
    const store = t.server.services.store;
    const account = await t.server.services.users.require("frank@example.test");
    const inbox = await t.server.services.mailboxes.require(account.id, "INBOX");
    await store.messages.updateFlags(account.id, inbox.id, [1 as never, 4 as never], {
      operation: "add",
      flags: { system: new Set(["\\Deleted"]), keywords: [] },
    });
    const uidExpunge = await raw.command("a3", "UID EXPUNGE 4");
    assert.match(uidExpunge, /\* 3 EXPUNGE\r\na3 OK/, "only UID 4, which is the 3rd message");
    const unselect = await raw.command("a4", "UNSELECT");
    assert.match(unselect, /^a4 OK/);
    assert.equal((await store.messages.listEntries(inbox.id)).length, 2, "UNSELECT expunges nothing");
    await raw.command("a5", "SELECT INBOX");
    const close = await raw.command("a6", "CLOSE");
    assert.equal(close, "a6 OK CLOSE completed\r\n", "CLOSE expunges silently");
    assert.deepEqual(
      (await store.messages.listEntries(inbox.id)).map((e) => e.uid),
      [2],
    );
    assert.match(await raw.command("a7", "COPY 1 INBOX"), /^a7 BAD/, "no mailbox selected any more");
    raw.close();
  });

  it("pushes a delivery to an IDLE client at once", async () => {
    const idler = flow("alice@example.test");
    await idler.connect();
    await idler.mailboxOpen("INBOX");
    const before = idler.mailbox ? idler.mailbox.exists : 0;
    const exists = new Promise<number>((resolve) =>
      idler.on("exists", (event: { count: number }) => resolve(event.count)),
    );
    void idler.idle();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const writer = flow("alice@example.test");
    await writer.connect();
    await writer.append("INBOX", MESSAGE("pushed"));
    assert.equal(await exists, before + 1);
    await writer.logout();
    await idler.logout();
  });

  it("pushes a message delivered by LMTP to an IDLE client", async () => {
    const idler = flow("carol@example.test");
    await idler.connect();
    await idler.mailboxOpen("INBOX");
    const before = idler.mailbox ? idler.mailbox.exists : 0;
    const exists = new Promise<number>((resolve) =>
      idler.on("exists", (event: { count: number }) => resolve(event.count)),
    );
    void idler.idle();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const script = `
import smtplib, sys
with smtplib.LMTP("127.0.0.1", int(sys.argv[1])) as lmtp:
    lmtp.sendmail("sender@example.org", ["carol@example.test"], b"Subject: by lmtp\\r\\n\\r\\nhello\\r\\n")
print("sent")
`;
    const { stdout } = await run("python3", ["-c", script, String(t.port("lmtp"))]);
    assert.equal(stdout.trim(), "sent");
    assert.equal(await exists, before + 1);
    await idler.logout();
  });

  it("creates, renames and deletes folders with non-ASCII names over the wire", async () => {
    const raw = await RawImap.connect(port);
    await raw.command("a1", login("alice@example.test"));
    assert.match(await raw.command("a2", "CREATE Entw&APw-rfe/Gr&APY-&AN8-e"), /^a2 OK/);
    assert.match(await raw.command("a3", "CREATE Entw&APw-rfe"), /^a3 NO \[ALREADYEXISTS\]/);
    assert.match(await raw.command("a4", 'CREATE "Bad&Name"'), /^a4 BAD/, "invalid modified UTF-7");
    assert.match(await raw.command("a5", "RENAME Entw&APw-rfe Vorlagen"), /^a5 OK/);
    const account = await t.server.services.users.require("alice@example.test");
    const names = (await t.server.services.mailboxes.list(account.id)).map((m) => m.name);
    assert.ok(names.includes("Vorlagen/Größe"), `child renamed along: ${names.join(", ")}`);
    assert.match(await raw.command("a6", "DELETE Vorlagen"), /^a6 NO \[HASCHILDREN\]/);
    assert.match(await raw.command("a7", "DELETE Vorlagen/Gr&APY-&AN8-e"), /^a7 OK/);
    assert.match(await raw.command("a8", "DELETE INBOX"), /^a8 NO \[CANNOT\]/);
    assert.match(await raw.command("a9", "CREATE Projects (USE (\\Flagged))"), /^a9 OK/);
    raw.close();
  });

  it("ends the session when its selected mailbox is deleted by another one", async () => {
    const raw = await RawImap.connect(port);
    await raw.command("a1", login("bob@example.test"));
    await raw.command("a2", "CREATE Doomed");
    await raw.command("a3", "SELECT Doomed");
    const other = await RawImap.connect(port);
    await other.command("b1", login("bob@example.test"));
    assert.match(await other.command("b2", "DELETE Doomed"), /^b2 OK/);
    other.close();
    raw.take();
    raw.write("a4 NOOP\r\n");
    await raw.waitFor((text) => text.includes("* BYE Selected mailbox was deleted"));
    await raw.waitFor(() => raw.isClosed);
  });

  it("works with Python's imaplib", async () => {
    const script = `
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.login("bob@example.test", sys.argv[2])
typ, _ = m.append("Archive", r"(\\Flagged)", None, b"Subject: from python\\r\\n\\r\\nhi\\r\\n")
assert typ == "OK", typ
typ, data = m.select("Archive")
assert typ == "OK" and int(data[0]) >= 1, data
typ, data = m.copy("1", "Trash")
assert typ == "OK", (typ, data)
m.close()
m.logout()
print("ok")
`;
    const { stdout } = await run("python3", ["-c", script, String(port), TEST_PASSWORD]);
    assert.equal(stdout.trim(), "ok");
  });
});

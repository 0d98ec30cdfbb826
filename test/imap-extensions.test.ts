// Smaller IMAP extensions over real sockets: OBJECTID (RFC 8474), SAVEDATE (RFC 8514), PREVIEW
// (RFC 8970), WITHIN (RFC 5032) and UNAUTHENTICATE (RFC 8437) — each advertised, each data item,
// search key and state change on the wire.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const message = (subject: string, body: string, extra = "") =>
  `From: Bob <bob@example.test>\r\nTo: alice@example.test\r\nSubject: ${subject}\r\n${extra}\r\n${body}\r\n`;

/** An IMAP date-time `dd-Mon-yyyy hh:mm:ss +0000` for a moment `ms` in UTC. */
function imapDateTime(ms: number): string {
  const d = new Date(ms);
  const month = d.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(d.getUTCDate())}-${month}-${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

describe("IMAP OBJECTID, SAVEDATE, PREVIEW, WITHIN", () => {
  let t: TestServer;
  let userCount = 0;
  const nextUser = (): string => `ext${++userCount}@example.test`;

  before(async () => {
    t = await startTestServer();
    await Promise.all(Array.from({ length: 6 }, (_, i) => t.addUser(`ext${i + 1}@example.test`)));
  });
  after(async () => {
    await t.stop();
  });

  async function login(): Promise<RawImap> {
    const raw = await RawImap.connect(t.port("imap"));
    raw.take();
    assert.match(await raw.command("l0", `LOGIN ${nextUser()} ${TEST_PASSWORD}`), /^l0 OK/m);
    return raw;
  }

  async function append(
    raw: RawImap,
    tag: string,
    mailbox: string,
    text: string,
    date = "",
  ): Promise<string> {
    raw.take();
    const when = date === "" ? "" : ` "${date}"`;
    raw.write(`${tag} APPEND ${mailbox}${when} {${Buffer.byteLength(text)}+}\r\n${text}\r\n`);
    return raw.untilTagged(tag);
  }

  it("advertises the four extensions after login", async () => {
    const raw = await login();
    const capabilities = await raw.command("c1", "CAPABILITY");
    for (const name of ["OBJECTID", "SAVEDATE", "PREVIEW", "WITHIN"]) {
      assert.match(capabilities, new RegExp(` ${name}( |\\r)`));
    }
    raw.close();
  });

  it("OBJECTID: one MAILBOXID from CREATE, SELECT, STATUS and after RENAME", async () => {
    const raw = await login();
    const created = /^c1 OK \[MAILBOXID \(([A-Za-z0-9_-]+)\)\]/m.exec(
      await raw.command("c1", "CREATE Projects"),
    );
    assert.ok(created, "CREATE answers MAILBOXID");
    const id = created[1];
    assert.match(await raw.command("s1", "STATUS Projects (MAILBOXID)"), new RegExp(`MAILBOXID \\(${id}\\)`));
    assert.match(await raw.command("r1", "RENAME Projects Work"), /^r1 OK/m);
    const selected = await raw.command("s2", "SELECT Work");
    assert.match(selected, new RegExp(`^\\* OK \\[MAILBOXID \\(${id}\\)\\]`, "m"));
    const inbox = /MAILBOXID \(([^)]+)\)/.exec(await raw.command("s3", "STATUS INBOX (MAILBOXID)"));
    assert.notEqual(inbox?.[1], id);
    raw.close();
  });

  it("OBJECTID: EMAILID survives COPY, replies share a THREADID, and both are search keys", async () => {
    const raw = await login();
    await append(raw, "a1", "INBOX", message("Plan", "first", "Message-ID: <plan@example.test>\r\n"));
    await append(
      raw,
      "a2",
      "INBOX",
      message("Re: Plan", "second", "Message-ID: <re@example.test>\r\nIn-Reply-To: <plan@example.test>\r\n"),
    );
    await append(raw, "a3", "INBOX", message("Other", "third"));
    assert.match(await raw.command("s1", "SELECT INBOX"), /^s1 OK/m);
    const fetched = await raw.command("f1", "FETCH 1:3 (EMAILID THREADID)");
    const items = [...fetched.matchAll(/\* (\d) FETCH \(EMAILID \(([^)]+)\) THREADID \(([^)]+)\)\)/g)];
    assert.equal(items.length, 3);
    const [first, second, third] = items.map((m) => ({ emailId: m[2], threadId: m[3] }));
    assert.equal(first?.threadId, second?.threadId);
    assert.notEqual(first?.threadId, third?.threadId);
    assert.equal(new Set(items.map((m) => m[2])).size, 3);

    assert.match(await raw.command("k1", `SEARCH EMAILID ${second?.emailId}`), /^\* SEARCH 2\r\n/m);
    assert.match(await raw.command("k2", `SEARCH THREADID ${first?.threadId}`), /^\* SEARCH 1 2\r\n/m);
    assert.match(await raw.command("c1", "COPY 1 Archive"), /^c1 OK/m);
    assert.match(await raw.command("s2", "SELECT Archive"), /^s2 OK/m);
    assert.match(await raw.command("f2", "FETCH 1 EMAILID"), new RegExp(`EMAILID \\(${first?.emailId}\\)`));
    raw.close();
  });

  it("SAVEDATE: FETCH SAVEDATE and the SAVED* keys use when the message was stored, not its INTERNALDATE", async () => {
    const raw = await login();
    const longAgo = "01-Jan-2001 10:00:00 +0000";
    await append(raw, "a1", "INBOX", message("Old", "old news"), longAgo);
    assert.match(await raw.command("s1", "SELECT INBOX"), /^s1 OK/m);
    const reply = await raw.command("f1", "FETCH 1 (INTERNALDATE SAVEDATE)");
    assert.ok(reply.includes(`INTERNALDATE "${longAgo}"`), reply);
    const saved = /SAVEDATE "([^"]+)"/.exec(reply);
    assert.ok(saved);
    assert.equal(saved[1]?.slice(0, 11), imapDateTime(Date.now()).slice(0, 11), "saved today");
    const today = imapDateTime(Date.now()).slice(0, 11);
    assert.match(await raw.command("k1", `SEARCH SAVEDON ${today}`), /^\* SEARCH 1\r\n/m);
    assert.match(await raw.command("k2", `SEARCH SAVEDBEFORE ${today}`), /^\* SEARCH\r\n/m);
    assert.match(await raw.command("k3", "SEARCH SAVEDSINCE 1-Jan-2002"), /^\* SEARCH 1\r\n/m);
    assert.match(await raw.command("k4", "SEARCH SAVEDATESUPPORTED"), /^\* SEARCH 1\r\n/m);
    raw.close();
  });

  it("PREVIEW: the precomputed text, also with the LAZY modifier", async () => {
    const raw = await login();
    await append(raw, "a1", "INBOX", message("Hi", "Schöne Grüße from the  preview\r\n\r\nsecond line"));
    assert.match(await raw.command("s1", "SELECT INBOX"), /^s1 OK/m);
    const reply = await raw.command("f1", "FETCH 1 (PREVIEW)");
    const preview = /PREVIEW (\{\d+\}\r\n[^)]*|"[^"]*")\)/.exec(reply);
    assert.ok(preview, reply);
    assert.match(
      Buffer.from(preview[1] ?? "", "latin1").toString("utf8"),
      /Schöne Grüße from the preview second line/,
    );
    assert.match(await raw.command("f2", "FETCH 1 (PREVIEW (LAZY))"), /PREVIEW /);
    raw.close();
  });

  it("WITHIN: OLDER and YOUNGER count seconds back from now on INTERNALDATE", async () => {
    const raw = await login();
    const twoDaysAgo = imapDateTime(Date.now() - 2 * 86_400_000);
    await append(raw, "a1", "INBOX", message("Old", "old"), twoDaysAgo);
    await append(raw, "a2", "INBOX", message("New", "new"));
    assert.match(await raw.command("s1", "SELECT INBOX"), /^s1 OK/m);
    assert.match(await raw.command("k1", "SEARCH OLDER 86400"), /^\* SEARCH 1\r\n/m);
    assert.match(await raw.command("k2", "SEARCH YOUNGER 86400"), /^\* SEARCH 2\r\n/m);
    assert.match(await raw.command("k3", "SEARCH YOUNGER 259200"), /^\* SEARCH 1 2\r\n/m);
    assert.match(await raw.command("k4", "UID SEARCH NOT OLDER 3600"), /^\* SEARCH 2\r\n/m);
    assert.match(await raw.command("k5", "SEARCH OLDER 0"), /^k5 BAD/m);
    raw.close();
  });
});

describe("IMAP UNAUTHENTICATE (RFC 8437)", () => {
  let t: TestServer;
  const ALICE = "alice@example.test";
  const BOB = "bob@example.test";

  before(async () => {
    // One session per account, so a slot UNAUTHENTICATE failed to release would show.
    t = await startTestServer((config) => ({
      ...config,
      limits: { ...config.limits, maxSessionsPerAccount: 1 },
    }));
    await Promise.all([t.addUser(ALICE), t.addUser(BOB)]);
  });
  after(async () => {
    await t.stop();
  });

  it("returns to the not-authenticated state, frees the session slot and lets another user log in", async () => {
    const raw = await RawImap.connect(t.port("imap"));
    raw.take();
    assert.match(await raw.command("l1", `LOGIN ${ALICE} ${TEST_PASSWORD}`), /^l1 OK/m);
    assert.match(await raw.command("c1", "CAPABILITY"), / UNAUTHENTICATE( |\r)/);
    const note = "From: a@example.test\r\nSubject: mine\r\n\r\nhi\r\n";
    raw.take();
    raw.write(`a1 APPEND INBOX {${note.length}+}\r\n${note}\r\n`);
    assert.match(await raw.untilTagged("a1"), /^a1 OK/m);
    assert.match(await raw.command("e1", "ENABLE UTF8=ACCEPT"), /^\* ENABLED UTF8=ACCEPT/m);
    assert.match(await raw.command("s1", "SELECT INBOX"), /^\* 1 EXISTS/m);

    assert.match(await raw.command("u1", "UNAUTHENTICATE"), /^u1 OK/m);
    assert.match(await raw.command("s2", "SELECT INBOX"), /^s2 BAD/m);
    assert.doesNotMatch(await raw.command("c2", "CAPABILITY"), /UNAUTHENTICATE|QUOTA/);
    assert.match(await raw.command("u2", "UNAUTHENTICATE"), /^u2 BAD/m);

    // Alice's slot is free again for a new connection.
    const other = await RawImap.connect(t.port("imap"));
    other.take();
    assert.match(await other.command("l2", `LOGIN ${ALICE} ${TEST_PASSWORD}`), /^l2 OK/m);
    other.close();

    assert.match(await raw.command("l3", `LOGIN ${BOB} ${TEST_PASSWORD}`), /^l3 OK/m);
    assert.match(await raw.command("s3", "STATUS INBOX (MESSAGES)"), /MESSAGES 0\)/);
    // ENABLE was forgotten: Bob's session can enable again and is told so.
    assert.match(await raw.command("e2", "ENABLE UTF8=ACCEPT"), /^\* ENABLED UTF8=ACCEPT/m);
    raw.close();
  });
});

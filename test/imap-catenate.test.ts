// CATENATE (RFC 4469) over real sockets: APPEND and REPLACE build a message from TEXT literals and IMAP
// URLs (RFC 5092) naming messages and parts of this account, byte for byte; URLs that do not resolve get
// NO [BADURL url] and store nothing; a result over the size limit NO [TOOBIG]; MULTIAPPEND stays all or
// nothing with CATENATE messages in it.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { describeWithPostgres } from "../src/store/postgres/postgres-test-harness.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const MAX_MESSAGE_BYTES = 4000;

const ORIGINAL = [
  "From: Alice <alice@example.test>",
  "To: Bob <bob@example.test>",
  "Subject: Quarterly figures",
  "MIME-Version: 1.0",
  'Content-Type: multipart/mixed; boundary="b1"',
  "",
  "--b1",
  "Content-Type: text/plain; charset=utf-8",
  "",
  "Here are the figures.",
  "--b1",
  "Content-Type: application/octet-stream; name=figures.bin",
  "Content-Transfer-Encoding: base64",
  "",
  "AAECAwQFBgcICQ==",
  "--b1--",
  "",
].join("\r\n");

/** The bytes of ORIGINAL between two markers (the first from its start, the second up to its start). */
function slice(from: string, to: string): string {
  const start = ORIGINAL.indexOf(from);
  const end = ORIGINAL.indexOf(to, start + 1);
  assert.ok(start >= 0 && end > start);
  return ORIGINAL.slice(start, end);
}

function describeCatenate(backend: "sqlite" | "postgres"): void {
  describe(`IMAP CATENATE (RFC 4469) (${backend} store)`, () => {
    let t: TestServer;
    let port: number;
    let userCount = 0;

    before(async () => {
      t = await startTestServer(
        (config) => ({
          ...config,
          limits: { ...config.limits, maxMessageBytes: MAX_MESSAGE_BYTES },
        }),
        { store: backend },
      );
      port = t.port("imap");
    });
    after(async () => {
      await t.stop();
    });

    /** A fresh user with ORIGINAL as INBOX UID 1, logged in, nothing selected; returns its UIDVALIDITY. */
    async function withOriginal(): Promise<{ raw: RawImap; uidValidity: number; user: string }> {
      const user = `cat${++userCount}@example.test`;
      await t.addUser(user);
      const raw = await RawImap.connect(port);
      raw.take();
      assert.match(await raw.command("l", `LOGIN ${user} ${TEST_PASSWORD}`), /^l OK/m);
      raw.take();
      raw.write(`a APPEND INBOX {${Buffer.byteLength(ORIGINAL)}+}\r\n${ORIGINAL}\r\n`);
      const appended = await raw.untilTagged("a");
      const match = /APPENDUID (\d+) 1\]/.exec(appended);
      assert.ok(match, appended);
      return { raw, uidValidity: Number(match[1]), user };
    }

    /** Sends `tag head` followed by non-synchronizing literals spliced in for each `{}` in `parts`. */
    async function send(raw: RawImap, tag: string, text: string): Promise<string> {
      raw.take();
      raw.write(`${tag} ${text}\r\n`);
      return raw.untilTagged(tag);
    }

    const lit = (text: string): string => `{${Buffer.byteLength(text)}+}\r\n${text}`;

    /** The stored bytes of a message of `mailbox` by UID. */
    async function bodyOf(raw: RawImap, mailbox: string, uid: number): Promise<string> {
      assert.match(await raw.command("x", `EXAMINE ${mailbox}`), /^x OK/m);
      const fetched = await raw.command("f", `UID FETCH ${uid} BODY.PEEK[]`);
      const match = /BODY\[\] \{(\d+)\}\r\n/.exec(fetched);
      assert.ok(match, fetched);
      const start = (match.index ?? 0) + match[0].length;
      return fetched.slice(start, start + Number(match[1]));
    }

    it("advertises CATENATE after login", async () => {
      const { raw } = await withOriginal();
      assert.match(await raw.command("c", "CAPABILITY"), / CATENATE( |\r)/);
      raw.close();
    });

    it("builds a message from TEXT literals and URLs to parts of another message, byte for byte", async () => {
      const { raw, uidValidity } = await withOriginal();
      const head =
        "From: Bob <bob@example.test>\r\nSubject: Fwd: figures\r\nMIME-Version: 1.0\r\n" +
        'Content-Type: multipart/mixed; boundary="new"\r\n\r\n--new\r\n';
      const middle = "\r\n--new\r\n";
      const tail = "\r\n--new--\r\n";
      const base = `/INBOX;UIDVALIDITY=${uidValidity}/;UID=1`;
      const reply = await send(
        raw,
        "c1",
        `APPEND Drafts (\\Draft) CATENATE (TEXT ${lit(head)} URL "${base}/;SECTION=1.MIME" URL "${base}/;SECTION=1" TEXT ${lit(middle)} URL "${base}/;SECTION=2.MIME" URL "${base}/;SECTION=2" TEXT ${lit(tail)})`,
      );
      assert.match(reply, /^c1 OK \[APPENDUID \d+ 1\]/m);
      const partOneMime = slice("Content-Type: text/plain", "Here are");
      const partOne = "Here are the figures.";
      const partTwoMime = slice("Content-Type: application/octet-stream", "AAEC");
      const partTwo = "AAECAwQFBgcICQ==";
      const expected = head + partOneMime + partOne + middle + partTwoMime + partTwo + tail;
      assert.equal(await bodyOf(raw, "Drafts", 1), expected);
      // The new message is indexed like any other: its structure has the two parts.
      const structure = await raw.command("b", "UID FETCH 1 (BODYSTRUCTURE FLAGS)");
      assert.match(structure, /"APPLICATION" "OCTET-STREAM"/i);
      assert.match(structure, /FLAGS \(\\Draft[ )]/);
      raw.close();
    });

    it("resolves whole messages, HEADER, HEADER.FIELDS, PARTIAL, hierarchy names and URLs relative to the selected mailbox", async () => {
      const { raw, uidValidity, user } = await withOriginal();
      assert.match(await raw.command("s", "SELECT INBOX"), /^s OK/m);
      const reply = await send(
        raw,
        "c1",
        `APPEND Drafts CATENATE (URL ";UID=1/;SECTION=HEADER.FIELDS%20(SUBJECT)" TEXT ${lit("\r\n")} URL ";UID=1/;SECTION=1/;PARTIAL=5.3")`,
      );
      assert.match(reply, /^c1 OK \[APPENDUID/m);
      assert.equal(await bodyOf(raw, "Drafts", 1), "Subject: Quarterly figures\r\n\r\n\r\nare");
      // The whole message, by an absolute URL with this user, into a folder below another.
      assert.match(await raw.command("c", "CREATE Archive/2026"), /^c OK/m);
      const whole = await send(
        raw,
        "c2",
        `APPEND Archive/2026 CATENATE (URL "imap://${encodeURIComponent(user)}@localhost/INBOX;UIDVALIDITY=${uidValidity}/;UID=1")`,
      );
      assert.match(whole, /^c2 OK \[APPENDUID/m);
      assert.equal(await bodyOf(raw, "Archive/2026", 1), ORIGINAL);
      // …and from that folder by its path, HEADER of the whole message.
      const header = await send(
        raw,
        "c3",
        `APPEND Drafts CATENATE (URL "/Archive/2026/;UID=1/;SECTION=HEADER")`,
      );
      assert.match(header, /^c3 OK/m);
      assert.equal(await bodyOf(raw, "Drafts", 2), ORIGINAL.slice(0, ORIGINAL.indexOf("\r\n\r\n") + 4));
      raw.close();
    });

    it("answers NO [BADURL url] for every URL it cannot resolve, and stores nothing", async () => {
      const { raw, uidValidity } = await withOriginal();
      const other = `cat${++userCount}@example.test`;
      await t.addUser(other);
      const bad = [
        `/INBOX;UIDVALIDITY=${uidValidity}/;UID=2`,
        `/INBOX;UIDVALIDITY=${uidValidity + 1}/;UID=1`,
        "/Nowhere/;UID=1",
        `/INBOX;UIDVALIDITY=${uidValidity}/;UID=1/;SECTION=7`,
        `/INBOX;UIDVALIDITY=${uidValidity}/;UID=1/;SECTION=1.2.HEADER`,
        `/INBOX;UIDVALIDITY=${uidValidity}/;UID=1/;PARTIAL=100000`,
        `/INBOX/;UID=1/;URLAUTH=anonymous:internal:0123`,
        `imap://${encodeURIComponent(other)}@localhost/INBOX/;UID=1`,
        ";UID=1",
        "http://example.test/",
      ];
      let n = 0;
      for (const url of bad) {
        const tag = `b${++n}`;
        const reply = await send(
          raw,
          tag,
          `APPEND Drafts CATENATE (TEXT ${lit("X: y\r\n\r\n")} URL "${url}")`,
        );
        assert.ok(reply.includes(`${tag} NO [BADURL ${url}]`), `${url}: ${reply}`);
      }
      assert.match(await raw.command("st", "STATUS Drafts (MESSAGES)"), /MESSAGES 0/);
      // The session is fine afterwards: the next APPEND is not mixed up with the refused literals.
      assert.match(
        await send(raw, "ok", `APPEND Drafts ${lit("Subject: fine\r\n\r\nok\r\n")}`),
        /APPENDUID \d+ 1\]/,
      );
      raw.close();
    });

    it("refuses a result over the size limit with NO [TOOBIG], and a malformed CATENATE with BAD", async () => {
      const { raw, uidValidity } = await withOriginal();
      const url = `URL "/INBOX;UIDVALIDITY=${uidValidity}/;UID=1"`;
      const copies = Math.ceil(MAX_MESSAGE_BYTES / Buffer.byteLength(ORIGINAL)) + 1;
      const tooBig = await send(raw, "t", `APPEND Drafts CATENATE (${Array(copies).fill(url).join(" ")})`);
      assert.match(tooBig, /^t NO \[TOOBIG\]/m);
      assert.match(await raw.command("b1", "APPEND Drafts CATENATE ()"), /^b1 BAD/m);
      assert.match(await raw.command("b2", "APPEND Drafts CATENATE (FOO bar)"), /^b2 BAD/m);
      assert.match(await raw.command("b3", `APPEND Drafts CATENATE ${url}`), /^b3 BAD/m);
      assert.match(await raw.command("st", "STATUS Drafts (MESSAGES)"), /MESSAGES 0/);
      raw.close();
    });

    it("waits for + before each synchronizing TEXT literal", async () => {
      const { raw, uidValidity } = await withOriginal();
      const first = "Subject: sync\r\n\r\n";
      raw.take();
      raw.write(`s APPEND Drafts CATENATE (TEXT {${first.length}}\r\n`);
      await raw.waitFor((text) => text.startsWith("+ "));
      raw.take();
      raw.write(`${first} URL "/INBOX;UIDVALIDITY=${uidValidity}/;UID=1/;SECTION=1" TEXT {2}\r\n`);
      await raw.waitFor((text) => text.startsWith("+ "));
      raw.take();
      raw.write(`!!)\r\n`);
      assert.match(await raw.untilTagged("s"), /^s OK \[APPENDUID/m);
      assert.equal(await bodyOf(raw, "Drafts", 1), `${first}Here are the figures.!!`);
      raw.close();
    });

    it("keeps MULTIAPPEND all or nothing with CATENATE messages among plain ones", async () => {
      const { raw, uidValidity } = await withOriginal();
      const good = `URL "/INBOX;UIDVALIDITY=${uidValidity}/;UID=1/;SECTION=1"`;
      const plain = lit("Subject: plain\r\n\r\nplain\r\n");
      const refused = await send(
        raw,
        "m1",
        `APPEND Drafts ${plain} CATENATE (TEXT ${lit("Subject: a\r\n\r\n")} ${good}) CATENATE (URL "/INBOX/;UID=9")`,
      );
      assert.match(refused, /^m1 NO \[BADURL \/INBOX\/;UID=9\]/m);
      assert.match(await raw.command("st", "STATUS Drafts (MESSAGES)"), /MESSAGES 0/);
      const stored = await send(
        raw,
        "m2",
        `APPEND Drafts ${plain} CATENATE (TEXT ${lit("Subject: a\r\n\r\n")} ${good})`,
      );
      assert.match(stored, /^m2 OK \[APPENDUID \d+ 1:2\]/m);
      assert.equal(await bodyOf(raw, "Drafts", 2), "Subject: a\r\n\r\nHere are the figures.");
      raw.close();
    });

    it("resolves URLs into another account's folder only with the read right (ACL)", async () => {
      const owner = await withOriginal();
      const reader = `cat${++userCount}@example.test`;
      await t.addUser(reader);
      const raw = await RawImap.connect(port);
      raw.take();
      assert.match(await raw.command("l", `LOGIN ${reader} ${TEST_PASSWORD}`), /^l OK/m);
      const url = `/Shared/${encodeURIComponent(owner.user)}/INBOX;UIDVALIDITY=${owner.uidValidity}/;UID=1/;SECTION=1`;
      const part = `APPEND Drafts CATENATE (TEXT ${lit("Subject: shared\r\n\r\n")} URL "${url}")`;
      assert.ok((await send(raw, "n1", part)).includes(`n1 NO [BADURL ${url}]`));
      assert.match(await owner.raw.command("g", `SETACL INBOX ${reader} lr`), /^g OK/m);
      assert.match(await send(raw, "y1", part), /^y1 OK \[APPENDUID/m);
      assert.equal(await bodyOf(raw, "Drafts", 1), "Subject: shared\r\n\r\nHere are the figures.");
      owner.raw.close();
      raw.close();
    });

    it("builds REPLACE's new message with CATENATE, reusing a part of the message it replaces", async () => {
      const { raw, uidValidity } = await withOriginal();
      assert.match(await raw.command("s", "SELECT INBOX"), /^s OK/m);
      const head = "Subject: Quarterly figures v2\r\n\r\n";
      const reply = await send(
        raw,
        "r",
        `UID REPLACE 1 INBOX CATENATE (TEXT ${lit(head)} URL "/INBOX;UIDVALIDITY=${uidValidity}/;UID=1/;SECTION=1")`,
      );
      assert.match(reply, /^\* OK \[APPENDUID \d+ 2\]/m);
      assert.match(reply, /^\* 1 EXPUNGE/m);
      assert.match(reply, /^r OK/m);
      assert.equal(await bodyOf(raw, "INBOX", 2), `${head}Here are the figures.`);
      raw.close();
    });
  });
}

describeCatenate("sqlite");
await describeWithPostgres(() => describeCatenate("postgres"));

// IMAP URLAUTH (RFC 4467) over the wire with a raw client: the capability, GENURLAUTH of a draft, URLFETCH
// by the owner, by another user and anonymously as the access identifier allows, sections and partials,
// expiry, a forged token, RESETKEY per mailbox and for all, and the refusals of GENURLAUTH.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";
const BOB = "bob@example.test";
const DRAFT = [
  "From: Alice <alice@example.test>",
  "To: Bob <bob@example.test>",
  "Subject: URLAUTH draft",
  "MIME-Version: 1.0",
  'Content-Type: multipart/mixed; boundary="b1"',
  "",
  "--b1",
  "Content-Type: text/plain; charset=utf-8",
  "",
  "Hello Bob, gr\u00fc\u00dfe.",
  "--b1",
  "Content-Type: application/octet-stream",
  "Content-Transfer-Encoding: base64",
  "",
  "AAECAwQ=",
  "--b1--",
  "",
].join("\r\n");
const DRAFT_BYTES = Buffer.from(DRAFT, "utf8");

describe("IMAP URLAUTH (RFC 4467)", () => {
  let server: TestServer;
  let alice: RawImap;
  let bob: RawImap;
  let base: string;
  let uidValidity: number;

  before(async () => {
    server = await startTestServer();
    await server.addUser(ALICE);
    await server.addUser(BOB);
    alice = await RawImap.loggedIn(server.port("imap"), ALICE, TEST_PASSWORD);
    bob = await RawImap.loggedIn(server.port("imap"), BOB, TEST_PASSWORD);
    alice.write(`a1 APPEND Drafts (\\Draft) {${DRAFT_BYTES.length}+}\r\n`);
    alice.write(DRAFT_BYTES);
    alice.write("\r\n");
    const appended = await alice.untilTagged("a1");
    const match = /\[APPENDUID (\d+) (\d+)\]/.exec(appended);
    assert.ok(match, appended);
    uidValidity = Number(match[1]);
    base = `imap://alice%40example.test@localhost/Drafts;UIDVALIDITY=${uidValidity}/;UID=${match[2]}`;
  });
  after(async () => {
    alice.close();
    bob.close();
    await server.stop();
  });

  /** Runs GENURLAUTH for one rump URL and returns the authorized URL. */
  async function authorize(rump: string): Promise<string> {
    const reply = await alice.command("g", `GENURLAUTH "${rump}" INTERNAL`);
    assert.match(reply, /^g OK/m, reply);
    const url = /^\* GENURLAUTH "([^"]+)"/m.exec(reply)?.[1];
    assert.ok(url, reply);
    assert.ok(url.startsWith(`${rump}:INTERNAL:`), url);
    return url;
  }

  /** URLFETCH of one URL by `client`: the data bytes, or null for NIL. */
  async function fetchUrl(client: RawImap, url: string): Promise<Buffer | null> {
    const reply = await client.command("f", `URLFETCH "${url}"`);
    assert.match(reply, /^f OK/m, reply);
    const literal = /^\* URLFETCH "[^"]+" \{(\d+)\}\r\n/m.exec(reply);
    if (literal === null) {
      assert.match(reply, /^\* URLFETCH "[^"]+" NIL\r\n/m, reply);
      return null;
    }
    const start = (literal.index ?? 0) + literal[0].length;
    return Buffer.from(reply.slice(start, start + Number(literal[1])), "latin1");
  }

  it("advertises URLAUTH after login", async () => {
    assert.match(await alice.command("c", "CAPABILITY"), /^\* CAPABILITY .* URLAUTH[ \r]/m);
  });

  it("the owner and the named user fetch a user+ URL byte-exact; another user and a submit+ URL get NIL", async () => {
    const forBob = await authorize(`${base};URLAUTH=user+bob%40example.test`);
    assert.deepEqual(await fetchUrl(bob, forBob), DRAFT_BYTES);
    assert.equal(await fetchUrl(alice, forBob), null, "user+bob is for bob only");
    const forAnyone = await authorize(`${base};URLAUTH=authuser`);
    assert.deepEqual(await fetchUrl(bob, forAnyone), DRAFT_BYTES);
    assert.deepEqual(await fetchUrl(alice, forAnyone), DRAFT_BYTES);
    // submit+ is for a submission server (BURL), never an IMAP user.
    const forSubmit = await authorize(`${base};URLAUTH=submit+alice%40example.test`);
    assert.equal(await fetchUrl(alice, forSubmit), null);
  });

  it("fetches sections and partials of the message", async () => {
    const text = await fetchUrl(bob, await authorize(`${base}/;SECTION=1;URLAUTH=authuser`));
    assert.equal(text?.toString("utf8"), "Hello Bob, gr\u00fc\u00dfe.");
    const header = await fetchUrl(bob, await authorize(`${base}/;SECTION=HEADER;URLAUTH=authuser`));
    assert.match(header?.toString("latin1") ?? "", /^From: Alice.*\r\n\r\n$/s);
    const partial = await fetchUrl(bob, await authorize(`${base}/;PARTIAL=6.5;URLAUTH=authuser`));
    assert.equal(partial?.toString("latin1"), "Alice");
  });

  it("several URLs in one URLFETCH, each with its own answer", async () => {
    const good = await authorize(`${base};URLAUTH=authuser`);
    const forged = good.replace(
      /:INTERNAL:([0-9a-f])/,
      (_, c: string) => `:INTERNAL:${c === "0" ? "1" : "0"}`,
    );
    const reply = await bob.command("m", `URLFETCH "${good}" "${forged}" "imap://nonsense"`);
    assert.match(reply, /^m OK/m);
    assert.ok(reply.includes(`"${good}" {${DRAFT_BYTES.length}}\r\n`), reply);
    assert.ok(reply.includes(`"${forged}" NIL`), "a wrong token gives NIL");
    assert.match(reply, / "?imap:\/\/nonsense"? NIL/, "a malformed URL gives NIL");
  });

  it("an expired URL gives NIL; one expiring later works", async () => {
    const past = await authorize(`${base};EXPIRE=2001-01-01T00:00:00Z;URLAUTH=authuser`);
    assert.equal(await fetchUrl(bob, past), null);
    const future = await authorize(`${base};EXPIRE=2199-01-01T00:00:00Z;URLAUTH=authuser`);
    assert.deepEqual(await fetchUrl(bob, future), DRAFT_BYTES);
  });

  it("RESETKEY of the mailbox, and of all mailboxes, invalidates earlier URLs", async () => {
    const before = await authorize(`${base};URLAUTH=authuser`);
    assert.match(await alice.command("r", "RESETKEY Drafts INTERNAL"), /^r OK/m);
    assert.equal(await fetchUrl(bob, before), null);
    const after = await authorize(`${base};URLAUTH=authuser`);
    assert.notEqual(after, before);
    assert.deepEqual(await fetchUrl(bob, after), DRAFT_BYTES);
    assert.match(await alice.command("r2", "RESETKEY"), /^r2 OK/m);
    assert.equal(await fetchUrl(bob, after), null);
    assert.match(await alice.command("r3", "RESETKEY Nowhere"), /^r3 NO \[NONEXISTENT\]/m);
    assert.match(await alice.command("r4", "RESETKEY Drafts XSHA1"), /^r4 BAD/m);
  });

  it("GENURLAUTH refuses another user's URL, a missing message, a full URL and other mechanisms", async () => {
    const bobs = `imap://bob%40example.test@localhost/INBOX/;UID=1;URLAUTH=anonymous`;
    assert.match(await alice.command("e1", `GENURLAUTH "${bobs}" INTERNAL`), /^e1 NO \[BADURL /m);
    const missing = `imap://alice%40example.test@localhost/Drafts/;UID=999;URLAUTH=anonymous`;
    assert.match(await alice.command("e2", `GENURLAUTH "${missing}" INTERNAL`), /^e2 NO \[BADURL /m);
    const full = await authorize(`${base};URLAUTH=anonymous`);
    assert.match(await alice.command("e3", `GENURLAUTH "${full}" INTERNAL`), /^e3 NO \[BADURL /m);
    assert.match(
      await alice.command("e4", `GENURLAUTH "${base};URLAUTH=anonymous" XSHA1`),
      /^e4 NO \[BADURL /m,
    );
    assert.match(await alice.command("e5", "GENURLAUTH"), /^e5 BAD/m);
    assert.match(await alice.command("e6", "URLFETCH"), /^e6 BAD/m);
  });

  it("is refused before login", async () => {
    const anonymous = await RawImap.connect(server.port("imap"));
    try {
      anonymous.take();
      assert.match(await anonymous.command("n", `URLFETCH "${base};URLAUTH=anonymous"`), /^n (BAD|NO)/m);
    } finally {
      anonymous.close();
    }
  });
});

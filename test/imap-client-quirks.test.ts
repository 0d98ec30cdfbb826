// One test per entry of the client-quirk catalogue (src/imap/session/client-quirks.ts), named after the
// client bug it avoids, over real sockets with each client's own ID line; docs/client-compatibility.md
// describes them.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { identifyClient, KNOWN_QUIRKS } from "../src/imap/session/client-quirks.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const APPLE_MAIL_ID =
  'ID ("name" "Mac OS X Mail" "version" "16.0 (3774.600.62)" "os" "Mac OS X" "os-version" "14.5 (23F79)" "vendor" "Apple Inc.")';
const IPHONE_MAIL_ID = 'ID ("name" "iPhone Mail" "version" "21F90" "os" "iOS" "os-version" "17.5.1 (21F90)")';
const OUTLOOK_ID = 'ID ("name" "Microsoft Outlook" "version" "16.0.17928.20114")';
const THUNDERBIRD_ID = 'ID ("name" "Thunderbird" "version" "128.3.1")';

describe("IMAP client quirks (docs/client-compatibility.md)", () => {
  let t: TestServer;
  let port: number;
  let userCount = 0;
  const tested = new Set<string>();

  before(async () => {
    t = await startTestServer();
    port = t.port("imap");
  });
  after(async () => {
    await t.stop();
    assert.deepEqual(
      [...tested].sort(),
      KNOWN_QUIRKS.map((q) => q.id).sort(),
      "every catalogued quirk has its test",
    );
  });

  async function newUser(): Promise<string> {
    const user = `quirks${++userCount}@example.test`;
    await t.addUser(user);
    return user;
  }

  async function connect(user: string, idLine: string | null): Promise<RawImap> {
    const raw = await RawImap.connect(port);
    raw.take();
    if (idLine !== null) assert.match(await raw.command("i", idLine), /^i OK/m);
    assert.match(await raw.command("l", `LOGIN ${user} ${TEST_PASSWORD}`), /^l OK/m);
    return raw;
  }

  async function append(raw: RawImap, mailbox: string, text: string, tag = "a"): Promise<string> {
    raw.take();
    raw.write(`${tag} APPEND ${mailbox} {${Buffer.byteLength(text)}+}\r\n${text}\r\n`);
    return raw.untilTagged(tag);
  }

  it("identifies clients by their ID name (and Apple's vendor)", () => {
    const id = (pairs: [string, string][]) => identifyClient(pairs.map(([key, value]) => ({ key, value })));
    assert.equal(id([["name", "Mac OS X Mail"]]).family, "apple-mail");
    assert.equal(id([["NAME", "iPhone Mail"]]).family, "apple-mail");
    assert.equal(id([["name", "iPad Mail"]]).family, "apple-mail");
    assert.equal(
      id([
        ["name", "Microsoft Outlook"],
        ["version", "16.0"],
      ]).family,
      "outlook",
    );
    assert.equal(id([["name", "Thunderbird"]]).family, "thunderbird");
    assert.equal(id([["name", "K-9 Mail"]]).family, "other");
    assert.equal(identifyClient(null).family, "other");
    assert.equal(
      id([
        ["name", "Mac OS X Mail"],
        ["version", "16.0"],
      ]).version,
      "16.0",
    );
  });

  it("apple-mail-loops-on-exists-after-expunge", async () => {
    tested.add("apple-mail-loops-on-exists-after-expunge");
    const user = await newUser();
    const mail = await connect(user, APPLE_MAIL_ID);
    for (let n = 1; n <= 3; n++) {
      assert.match(await append(mail, "INBOX", `Subject: m${n}\r\n\r\nbody\r\n`), /^a OK/m);
    }
    const phone = await connect(user, IPHONE_MAIL_ID);
    assert.match(await phone.command("s", "SELECT INBOX"), /^\* 3 EXISTS/m);
    phone.take();
    phone.write("w IDLE\r\n");
    await phone.waitFor((text) => text.includes("+ "));
    assert.match(await mail.command("s", "SELECT INBOX"), /^\* 3 EXISTS/m);
    assert.match(await mail.command("d", "STORE 1:3 +FLAGS.SILENT (\\Deleted)"), /^d OK/m);
    const expunged = await mail.command("e", "EXPUNGE");
    assert.equal((expunged.match(/^\* \d+ EXPUNGE/gm) ?? []).length, 3);
    assert.doesNotMatch(expunged, /EXISTS/, "no `* 0 EXISTS` after the mailbox emptied");
    // The idling device hears three EXPUNGEs and nothing else.
    const pushed = await phone.waitFor((text) => (text.match(/EXPUNGE/g) ?? []).length === 3);
    assert.doesNotMatch(pushed, /EXISTS/);
    phone.write("DONE\r\n");
    assert.doesNotMatch(await phone.untilTagged("w"), /EXISTS/);
    assert.doesNotMatch(await phone.command("n", "NOOP"), /EXISTS/);
    // MOVE of the last message out is announced the same way.
    assert.match(await append(mail, "INBOX", "Subject: again\r\n\r\nbody\r\n"), /^\* 1 EXISTS/m);
    const moved = await mail.command("m", "MOVE 1 Trash");
    assert.match(moved, /^\* 1 EXPUNGE/m);
    assert.doesNotMatch(moved, /EXISTS/);
    mail.close();
    phone.close();
  });

  it("outlook-lsub-without-children", async () => {
    tested.add("outlook-lsub-without-children");
    const user = await newUser();
    const setup = await connect(user, null);
    for (const name of ["Projects", "Projects/2026", "Clients/Acme"]) {
      assert.match(await setup.command("c", `CREATE ${name}`), /^c OK/m);
    }
    for (const name of ["Projects", "Projects/2026", "Clients/Acme"]) {
      assert.match(await setup.command("s", `SUBSCRIBE ${name}`), /^s OK/m);
    }
    // Other clients get Dovecot's LSUB: no children attributes.
    const plain = await setup.command("l1", 'LSUB "" "*"');
    assert.match(plain, /^\* LSUB \(\) "\/" Projects\r\n/m);
    assert.match(await setup.command("l2", 'LSUB "" "%"'), /^\* LSUB \(\\Noselect\) "\/" Clients\r\n/m);
    setup.close();
    const outlook = await connect(user, OUTLOOK_ID);
    const all = await outlook.command("l1", 'LSUB "" "*"');
    assert.match(all, /^\* LSUB \(\\HasChildren\) "\/" Projects\r\n/m);
    assert.match(all, /^\* LSUB \(\\HasNoChildren\) "\/" Projects\/2026\r\n/m);
    assert.match(all, /^\* LSUB \(\\HasNoChildren\) "\/" Clients\/Acme\r\n/m);
    const top = await outlook.command("l2", 'LSUB "" "%"');
    assert.match(top, /^\* LSUB \(\\Noselect \\HasChildren\) "\/" Clients\r\n/m);
    outlook.close();
  });

  it("outlook-special-use-names", async () => {
    tested.add("outlook-special-use-names");
    const outlook = await connect(await newUser(), OUTLOOK_ID);
    const list = await outlook.command("l", 'LIST "" "*"');
    for (const [name, use] of [
      ["Sent", "\\\\Sent"],
      ["Trash", "\\\\Trash"],
      ["Junk", "\\\\Junk"],
      ["Drafts", "\\\\Drafts"],
    ]) {
      assert.match(list, new RegExp(`^\\* LIST \\([^)]*${use}[^)]*\\) "/" ${name}\\r\\n`, "m"), name);
    }
    const lsub = await outlook.command("s", 'LSUB "" "*"');
    assert.match(lsub, /^\* LSUB \([^)]*\\Sent[^)]*\) "\/" Sent\r\n/m);
    assert.match(lsub, /^\* LSUB \([^)]*\\Trash[^)]*\) "\/" Trash\r\n/m);
    outlook.close();
  });

  it("thunderbird-utf8-append", async () => {
    tested.add("thunderbird-utf8-append");
    const tb = await connect(await newUser(), THUNDERBIRD_ID);
    assert.match(await tb.command("e", "ENABLE UTF8=ACCEPT"), /^\* ENABLED UTF8=ACCEPT/m);
    const subjectA = "Subject: Grüße aus Köln\r\n";
    const subjectB = "Subject: Привет, 世界\r\n";
    // Thunderbird's drafts: a plain literal with raw UTF-8 headers …
    assert.match(await append(tb, "Drafts", `${subjectA}\r\nText\r\n`, "a1"), /^a1 OK \[APPENDUID \d+ 1\]/m);
    // … and the RFC 6855 form.
    const text = `${subjectB}\r\nText\r\n`;
    tb.take();
    tb.write(`a2 APPEND Drafts UTF8 (~{${Buffer.byteLength(text)}+}\r\n${text})\r\n`);
    assert.match(await tb.untilTagged("a2"), /^a2 OK \[APPENDUID \d+ 2\]/m);
    assert.match(await tb.command("s", "SELECT Drafts"), /^s OK/m);
    const fetched = await tb.command("f", "FETCH 1:2 (BODY.PEEK[HEADER.FIELDS (SUBJECT)] ENVELOPE)");
    // RawImap reads bytes as Latin-1: compare the UTF-8 bytes the same way.
    const asWire = (text: string): string => Buffer.from(text, "utf8").toString("latin1");
    assert.ok(fetched.includes(asWire(subjectA)), fetched);
    assert.ok(fetched.includes(asWire(subjectB)), fetched);
    assert.ok(fetched.includes(asWire("Grüße aus Köln")), "ENVELOPE subject in UTF-8 once UTF8=ACCEPT is on");
    tb.close();
  });

  it("thunderbird-extra-mailbox-separator", async () => {
    tested.add("thunderbird-extra-mailbox-separator");
    const tb = await connect(await newUser(), THUNDERBIRD_ID);
    assert.match(await tb.command("c", "CREATE Lists/"), /^c OK/m);
    assert.match(await tb.command("c2", "CREATE Lists/rust/"), /^c2 OK/m);
    assert.match(await tb.command("l", 'LIST "" "Lists*"'), /"\/" Lists\/rust\r\n/);
    assert.match(await tb.command("s", 'SELECT "Lists/rust/"'), /^s OK \[READ-WRITE\]/m);
    assert.match(
      await tb.command("st", 'STATUS "Sent/" (MESSAGES)'),
      /^\* STATUS "?Sent\/?"? \(MESSAGES 0\)\r\nst OK/m,
    );
    tb.close();
  });
});

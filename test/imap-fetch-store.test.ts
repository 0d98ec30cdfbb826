// FETCH and STORE over real sockets (RFC 9051 §6.4.5, §6.4.6, RFC 3516 BINARY): every data item and
// section compared byte for byte with the appended message text, partials, header-only previews,
// \Seen on non-PEEK fetches, flag round trips, concurrent +FLAGS and fetching a message another
// connection expunged — with raw bytes, imapflow and Python's imaplib.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { ImapFlow } from "imapflow";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const run = promisify(execFile);
const USER = "reader@example.test";

const ATTACHMENT = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256));
const base64Lines = (bytes: Buffer): string =>
  bytes.toString("base64").replace(/.{76}/g, "$&\r\n").replace(/\r\n$/, "");

const MIXED = Buffer.from(
  [
    "From: Alice <alice@example.test>",
    "To: Bob <bob@example.test>",
    "Subject: Quarterly report",
    "Date: Tue, 14 May 2024 09:12:31 +0200",
    "Message-ID: <q4@example.test>",
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="outer"',
    "",
    "--outer",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    "Grüße — the report is attached.",
    "--outer",
    'Content-Type: application/octet-stream; name="data.bin"',
    "Content-Transfer-Encoding: base64",
    'Content-Disposition: attachment; filename="data.bin"',
    "",
    base64Lines(ATTACHMENT),
    "--outer--",
    "",
  ].join("\r\n"),
  "utf8",
);

const NESTED = Buffer.from(
  [
    "From: Frank <frank@example.test>",
    "To: Grace <grace@example.test>",
    "Subject: Fwd: plans",
    "MIME-Version: 1.0",
    "Content-Type: multipart/mixed; boundary=fwd",
    "",
    "--fwd",
    "Content-Type: text/plain",
    "",
    "See below.",
    "--fwd",
    "Content-Type: message/rfc822",
    "",
    "From: Heidi <heidi@example.test>",
    "Subject: Plans",
    "Content-Type: multipart/alternative; boundary=alt",
    "",
    "--alt",
    "Content-Type: text/plain",
    "",
    "plain plans",
    "--alt",
    "Content-Type: text/html",
    "",
    "<p>html plans</p>",
    "--alt--",
    "--fwd--",
    "",
  ].join("\r\n"),
  "latin1",
);

const BIG_ATTACHMENT = randomBytes(3_800_000);
const BIG = Buffer.from(
  [
    "From: Big <big@example.test>",
    "Subject: Large",
    "MIME-Version: 1.0",
    "Content-Type: multipart/mixed; boundary=big",
    "",
    "--big",
    "Content-Type: text/plain",
    "",
    "A large attachment follows.",
    "--big",
    "Content-Type: application/octet-stream",
    "Content-Transfer-Encoding: base64",
    "",
    base64Lines(BIG_ATTACHMENT),
    "--big--",
    "",
  ].join("\r\n"),
  "latin1",
);

const latin1 = (bytes: Buffer): string => bytes.toString("latin1");
const MIXED_TEXT = latin1(MIXED);
const NESTED_TEXT = latin1(NESTED);

/** The text between the end of `from` and the start of the next `to` (section bytes cut from the original). */
function between(text: string, from: string, to: string): string {
  const start = text.indexOf(from);
  assert.ok(start >= 0, `marker ${from}`);
  const end = text.indexOf(to, start + from.length);
  assert.ok(end >= 0, `marker ${to}`);
  return text.slice(start + from.length, end);
}

/** The literal that follows `label` in a FETCH response (latin1). */
function literalAfter(response: string, label: string): string {
  const at = response.indexOf(`${label} `);
  assert.ok(at >= 0, `${label} in ${response.slice(0, 300)}`);
  const match = /^~?\{(\d+)\}\r\n/.exec(response.slice(at + label.length + 1));
  assert.ok(match, `literal after ${label}: ${response.slice(at, at + 80)}`);
  const start = at + label.length + 1 + match[0].length;
  return response.slice(start, start + Number(match[1]));
}

describe("IMAP FETCH and STORE", () => {
  let t: TestServer;
  let port: number;
  const uids: Record<"mixed" | "nested" | "big", number> = { mixed: 0, nested: 0, big: 0 };

  function flow(): ImapFlow {
    return imapFlowClient(port, USER);
  }

  async function rawSession(mailbox = "INBOX", examine = false): Promise<RawImap> {
    const raw = await RawImap.connect(port);
    assert.match(await raw.command("l", `LOGIN ${USER} ${TEST_PASSWORD}`), /^l OK/m);
    assert.match(await raw.command("s", `${examine ? "EXAMINE" : "SELECT"} ${mailbox}`), /\r\ns OK/);
    return raw;
  }

  /** One logged-in session for the tests that only read (a LOGIN costs a password hash). */
  let shared: RawImap;
  const reader = async (): Promise<RawImap> => shared;

  before(async () => {
    t = await startTestServer();
    port = t.port("imap");
    await t.addUser(USER);
    const client = flow();
    await client.connect();
    for (const [name, bytes] of [
      ["mixed", MIXED],
      ["nested", NESTED],
      ["big", BIG],
    ] as const) {
      const result = await client.append("INBOX", bytes, [], new Date("2024-05-14T07:12:31Z"));
      assert.ok(result && typeof result.uid === "number");
      uids[name] = result.uid;
    }
    await client.logout();
    shared = await rawSession();
  });
  after(async () => {
    shared.close();
    await t.stop();
  });

  it("serves every section of a multipart message byte for byte", async () => {
    const raw = await reader();
    const fetch = async (items: string) => raw.command("f", `UID FETCH ${uids.mixed} (${items})`);
    const header = MIXED_TEXT.slice(0, MIXED_TEXT.indexOf("\r\n\r\n") + 4);
    const whole = await fetch("BODY.PEEK[]");
    assert.equal(literalAfter(whole, "BODY[]"), MIXED_TEXT);
    assert.match(whole, /^\* 1 FETCH \(UID \d+ BODY\[\] \{/);
    assert.equal(literalAfter(await fetch("BODY.PEEK[HEADER]"), "BODY[HEADER]"), header);
    assert.equal(literalAfter(await fetch("BODY.PEEK[TEXT]"), "BODY[TEXT]"), MIXED_TEXT.slice(header.length));
    const part1 = between(MIXED_TEXT, "Content-Transfer-Encoding: 8bit\r\n\r\n", "\r\n--outer");
    assert.equal(literalAfter(await fetch("BODY.PEEK[1]"), "BODY[1]"), part1);
    assert.equal(
      literalAfter(await fetch("BODY.PEEK[1.MIME]"), "BODY[1.MIME]"),
      "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
    );
    const part2 = between(MIXED_TEXT, 'filename="data.bin"\r\n\r\n', "\r\n--outer--");
    assert.equal(literalAfter(await fetch("BODY.PEEK[2]"), "BODY[2]"), part2);
    assert.equal(literalAfter(await fetch("BINARY.PEEK[2]"), "BINARY[2]"), latin1(ATTACHMENT));
    assert.match(await fetch("BINARY.PEEK[2]"), /BINARY\[2\] ~\{300\}\r\n/, "literal8 for NULs");
    assert.match(await fetch("BINARY.SIZE[2] BINARY.SIZE[1]"), /BINARY\.SIZE\[2\] 300 BINARY\.SIZE\[1\] \d+/);
    assert.equal(
      literalAfter(await fetch("BINARY.PEEK[2]<10.5>"), "BINARY[2]<10>"),
      latin1(ATTACHMENT.subarray(10, 15)),
    );
    assert.equal(literalAfter(await fetch("RFC822.HEADER"), "RFC822.HEADER"), header);
    assert.match(
      await fetch("BODY.PEEK[9] BODY.PEEK[1.HEADER]"),
      /BODY\[9\] \{0\}\r\n BODY\[1\.HEADER\] \{0\}\r\n\)/,
    );
  });

  it("serves partials as BODY[...]<origin>, empty past the end", async () => {
    const raw = await reader();
    const response = await raw.command(
      "p",
      `UID FETCH ${uids.mixed} (BODY.PEEK[]<6.13> BODY.PEEK[1]<0.5> BODY.PEEK[]<999999.10>)`,
    );
    assert.equal(literalAfter(response, "BODY[]<6>"), MIXED_TEXT.slice(6, 19));
    const part1 = between(MIXED_TEXT, "8bit\r\n\r\n", "\r\n--outer");
    assert.equal(literalAfter(response, "BODY[1]<0>"), part1.slice(0, 5));
    assert.equal(literalAfter(response, "BODY[]<999999>"), "");
  });

  it("serves header-only previews with HEADER.FIELDS and HEADER.FIELDS.NOT", async () => {
    const raw = await reader();
    const response = await raw.command(
      "h",
      `UID FETCH ${uids.mixed}:${uids.nested} (BODY.PEEK[HEADER.FIELDS (from SUBJECT Date)])`,
    );
    assert.equal(
      literalAfter(response, "BODY[HEADER.FIELDS (from SUBJECT Date)]"),
      "From: Alice <alice@example.test>\r\nSubject: Quarterly report\r\nDate: Tue, 14 May 2024 09:12:31 +0200\r\n\r\n",
    );
    assert.match(
      response,
      /\* 2 FETCH \(UID \d+ BODY\[HEADER\.FIELDS \(from SUBJECT Date\)\] \{57\}\r\nFrom: Frank <frank@example\.test>\r\nSubject: Fwd: plans\r\n\r\n\)/,
    );
    const not = await raw.command(
      "n",
      `UID FETCH ${uids.nested} (BODY.PEEK[HEADER.FIELDS.NOT (To Content-Type MIME-Version)])`,
    );
    assert.equal(
      literalAfter(not, "BODY[HEADER.FIELDS.NOT (To Content-Type MIME-Version)]"),
      "From: Frank <frank@example.test>\r\nSubject: Fwd: plans\r\n\r\n",
    );
  });

  it("serves the parts of an attached message/rfc822", async () => {
    const raw = await reader();
    const fetch = async (section: string) =>
      literalAfter(
        await raw.command("x", `UID FETCH ${uids.nested} (BODY.PEEK[${section}])`),
        `BODY[${section}]`,
      );
    const inner = between(NESTED_TEXT, "Content-Type: message/rfc822\r\n\r\n", "\r\n--fwd--");
    const innerHeader = inner.slice(0, inner.indexOf("\r\n\r\n") + 4);
    assert.equal(await fetch("2"), inner);
    assert.equal(await fetch("2.MIME"), "Content-Type: message/rfc822\r\n\r\n");
    assert.equal(await fetch("2.HEADER"), innerHeader);
    assert.equal(await fetch("2.TEXT"), inner.slice(innerHeader.length));
    assert.equal(await fetch("2.1"), "plain plans");
    assert.equal(await fetch("2.2"), "<p>html plans</p>");
    assert.equal(await fetch("2.2.MIME"), "Content-Type: text/html\r\n\r\n");
    assert.equal(await fetch("2.HEADER.FIELDS (SUBJECT)"), "Subject: Plans\r\n\r\n");
    assert.equal(await fetch("1"), "See below.");
  });

  it("answers the non-body items, macros and UID first for UID FETCH", async () => {
    const raw = await reader();
    const response = await raw.command(
      "i",
      `UID FETCH ${uids.mixed} (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY EMAILID THREADID SAVEDATE PREVIEW MODSEQ)`,
    );
    assert.match(
      response,
      new RegExp(
        // MODSEQ turns CONDSTORE on (RFC 7162 §3.1), which first tells the HIGHESTMODSEQ.
        `^(?:\\* OK \\[HIGHESTMODSEQ \\d+\\] [^\\r]*\\r\\n)?\\* 1 FETCH \\(UID ${uids.mixed} FLAGS \\([^)]*\\) INTERNALDATE "14-May-2024 07:12:31 \\+0000" RFC822\\.SIZE ${MIXED.length} ENVELOPE \\("Tue, 14 May 2024 09:12:31 \\+0200" "Quarterly report" `,
      ),
    );
    assert.match(
      response,
      /BODYSTRUCTURE \(\("text" "plain" \("charset" "utf-8"\) NIL NIL "8bit" \d+ 0 NIL NIL NIL NIL\)\("application" "octet-stream"/,
    );
    assert.match(response, / BODY \(\("text" "plain"/);
    assert.match(response, / EMAILID \([^)]+\) THREADID \([^)]+\) SAVEDATE "[^"]+" PREVIEW /);
    assert.match(response, / MODSEQ \(\d+\)\)\r\n/);
    const full = await raw.command("m", "FETCH 1:2 FULL");
    assert.match(
      full,
      /^\* 1 FETCH \(FLAGS \([^)]*\) INTERNALDATE "[^"]+" RFC822\.SIZE \d+ ENVELOPE \(.*\) BODY \(.*\)\)\r\n\* 2 FETCH /,
    );
    assert.match(
      await raw.command("u", "FETCH 2 (UID)"),
      new RegExp(`^\\* 2 FETCH \\(UID ${uids.nested}\\)\\r\\n`),
    );
    assert.match(await raw.command("b", "FETCH 9 (FLAGS)"), /^b BAD/);
    assert.match(await raw.command("e", `UID FETCH ${uids.big + 100} (FLAGS)`), /^e OK/);
  });

  it("sets \\Seen for BODY[] but not BODY.PEEK[], and returns the new FLAGS", async () => {
    const raw = await reader();
    const peek = await raw.command("a", `UID FETCH ${uids.nested} (BODY.PEEK[1])`);
    assert.doesNotMatch(peek, /FLAGS/);
    assert.doesNotMatch(await raw.command("b", `UID FETCH ${uids.nested} (FLAGS)`), /\\Seen/);
    const read = await raw.command("c", `UID FETCH ${uids.nested} (BODY[1])`);
    assert.match(read, /BODY\[1\] \{10\}\r\nSee below\. FLAGS \(\\Seen[^)]*\)( MODSEQ \(\d+\))?\)\r\n/);
    assert.match(await raw.command("d", "NOOP"), /^d OK/, "own change not announced again");
    const again = await raw.command("e", `UID FETCH ${uids.nested} (BODY[1])`);
    assert.doesNotMatch(again, /FLAGS/, "already seen: nothing changed");
  });

  it("round-trips flags and keywords with STORE, .SILENT and UID STORE", async () => {
    const raw = await reader();
    assert.match(
      await raw.command("a", "STORE 1 +FLAGS (\\Flagged $Work)"),
      /^\* 1 FETCH \(FLAGS \([^)]*\\Flagged[^)]*\$Work\)( UID 1 MODSEQ \(\d+\))?\)\r\na OK/,
    );
    assert.match(
      await raw.command("b", "STORE 1 -FLAGS (\\Flagged)"),
      /^\* 1 FETCH \(FLAGS \([^)]*\)( UID 1 MODSEQ \(\d+\))?\)\r\nb OK/,
    );
    assert.doesNotMatch(await raw.command("c", "FETCH 1 FLAGS"), /\\Flagged/);
    // With CONDSTORE on (an earlier test fetched MODSEQ), .SILENT still reports the new MODSEQ.
    assert.match(
      await raw.command("d", "STORE 1 +FLAGS.SILENT (\\Answered)"),
      /^(\* 1 FETCH \(UID 1 MODSEQ \(\d+\)\)\r\n)?d OK STORE completed\r\n$/,
    );
    assert.match(await raw.command("e", "FETCH 1 FLAGS"), /\\Answered.*\$Work/);
    assert.match(
      await raw.command("f", `UID STORE ${uids.mixed} FLAGS (\\Draft Todo)`),
      new RegExp(
        `^\\* 1 FETCH \\(FLAGS \\(\\\\Draft (\\\\Recent )?Todo\\) UID ${uids.mixed}( MODSEQ \\(\\d+\\))?\\)\\r\\nf OK`,
      ),
    );
    assert.match(await raw.command("g", "STORE 1 +FLAGS (\\Bogus)"), /^g BAD/);
    assert.match(
      await raw.command("h", "STORE 1 +FLAGS (\\Recent)"),
      /^h BAD/,
      "as Dovecot: \\Recent cannot be stored",
    );
    assert.match(
      await raw.command("i", "STORE 1 (UNCHANGEDSINCE 1) +FLAGS (\\Seen)"),
      /^i OK \[MODIFIED 1\]/m,
    );
  });

  it("neither sets \\Seen nor stores flags in an EXAMINE session, as Dovecot", async () => {
    const examine = await rawSession("INBOX", true);
    const examined = await examine.command("f", `UID FETCH ${uids.big} (BODY[1] FLAGS)`);
    assert.doesNotMatch(examined, /\\Seen/, "EXAMINE never sets \\Seen");
    assert.match(await examine.command("j", "STORE 1 +FLAGS (\\Deleted)"), /^j OK Store ignored/);
    assert.match(await examine.command("k", "STORE 1 (UNCHANGEDSINCE 99) +FLAGS (\\Deleted)"), /^k NO/m);
    examine.close();
  });

  it("keeps both flags when two connections add flags to one message at once", async () => {
    const a = flow();
    const b = flow();
    await Promise.all([a.connect(), b.connect()]);
    await Promise.all([a.mailboxOpen("INBOX"), b.mailboxOpen("INBOX")]);
    const keywordsA = Array.from({ length: 15 }, (_, i) => `$a${i}`);
    const keywordsB = Array.from({ length: 15 }, (_, i) => `$b${i}`);
    await Promise.all([
      (async () => {
        for (const k of keywordsA) await a.messageFlagsAdd(String(uids.big), [k], { uid: true });
      })(),
      (async () => {
        for (const k of keywordsB) await b.messageFlagsAdd(String(uids.big), [k], { uid: true });
      })(),
    ]);
    const message = await a.fetchOne(String(uids.big), { flags: true }, { uid: true });
    assert.ok(message);
    for (const k of [...keywordsA, ...keywordsB]) assert.ok(message.flags?.has(k), `${k} kept`);
    await Promise.all([a.logout(), b.logout()]);
  });

  it("streams a 5 MB message and its parts to imapflow", async () => {
    const client = flow();
    await client.connect();
    await client.mailboxOpen("INBOX", { readOnly: true });
    const message = await client.fetchOne(
      String(uids.big),
      { source: true, size: true, bodyParts: ["1", "2"], headers: ["subject"] },
      { uid: true },
    );
    assert.ok(message);
    assert.equal(message.size, BIG.length);
    assert.ok(message.source?.equals(BIG), "source equals the appended bytes");
    assert.equal(message.bodyParts?.get("1")?.toString(), "A large attachment follows.");
    assert.equal(message.bodyParts?.get("2")?.length, base64Lines(BIG_ATTACHMENT).length);
    assert.equal(message.headers?.toString(), "Subject: Large\r\n\r\n");
    const { content } = await client.download(String(uids.big), "2", { uid: true });
    assert.ok(content);
    const chunks: Buffer[] = [];
    for await (const chunk of content) chunks.push(chunk as Buffer);
    assert.ok(Buffer.concat(chunks).equals(BIG_ATTACHMENT), "decoded attachment");
    await client.logout();
  });

  it("still serves a message another connection expunged, until this one is told", async () => {
    const client = flow();
    await client.connect();
    await client.mailboxOpen("INBOX");
    const extra = Buffer.from("From: x@example.test\r\nSubject: Doomed\r\n\r\nlast words\r\n");
    const appended = await client.append("INBOX", extra);
    assert.ok(appended);
    const raw = await rawSession();
    const seq = (await raw.command("q", `UID FETCH ${appended.uid} (UID)`)).match(/^\* (\d+) FETCH/)?.[1];
    assert.ok(seq);
    await client.messageDelete(String(appended.uid), { uid: true });
    await client.logout();
    const body = await raw.command("r", `FETCH ${seq} (BODY.PEEK[] BODY.PEEK[TEXT] BODY.PEEK[1])`);
    assert.equal(literalAfter(body, "BODY[]"), latin1(extra));
    assert.equal(literalAfter(body, "BODY[TEXT]"), "last words\r\n");
    assert.equal(literalAfter(body, "BODY[1]"), "last words\r\n");
    assert.doesNotMatch(body, /EXPUNGE/, "no EXPUNGE during FETCH by sequence number");
    assert.match(await raw.command("s", "NOOP"), new RegExp(`^\\* ${seq} EXPUNGE\\r\\n`));
    raw.close();
  });

  it("refuses BINARY of an unknown encoding, serves RFC822 items and CHANGEDSINCE", async () => {
    const client = flow();
    await client.connect();
    const odd = Buffer.from(
      "From: x@example.test\r\nSubject: uu\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 a\r\n`\r\nend\r\n",
    );
    const appended = await client.append("INBOX", odd);
    assert.ok(appended);
    await client.logout();
    const raw = await reader();
    await raw.command("n", "NOOP");
    assert.match(
      await raw.command("a", `UID FETCH ${appended.uid} (BINARY.PEEK[1])`),
      /^a NO \[UNKNOWN-CTE\]/,
    );
    assert.match(
      await raw.command("b", `UID FETCH ${appended.uid} (BINARY.SIZE[1])`),
      /^b NO \[UNKNOWN-CTE\]/,
    );
    assert.match(
      await raw.command("c", `UID FETCH ${appended.uid} (BODY.PEEK[1])`),
      /BODY\[1\] \{21\}\r\nbegin 644 a\r\n`\r\nend\r\n\)/,
    );
    const rfc822 = await raw.command("d", `UID FETCH ${appended.uid} (RFC822.TEXT RFC822)`);
    assert.equal(literalAfter(rfc822, "RFC822.TEXT"), "begin 644 a\r\n`\r\nend\r\n");
    assert.equal(literalAfter(rfc822, "RFC822"), latin1(odd));
    assert.match(rfc822, /FLAGS \(\\Seen[^)]*\)( MODSEQ \(\d+\))?\)\r\n/, "RFC822 sets \\Seen");
    const modSeq = Number(
      /MODSEQ \((\d+)\)/.exec(await raw.command("e", `UID FETCH ${appended.uid} (MODSEQ)`))?.[1],
    );
    assert.ok(modSeq > 0);
    const changed = await raw.command("f", `UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${modSeq - 1})`);
    assert.match(
      changed,
      new RegExp(
        `^\\* \\d+ FETCH \\(UID ${appended.uid} FLAGS \\([^)]*\\) MODSEQ \\(${modSeq}\\)\\)\\r\\nf OK`,
      ),
    );
  });

  it("works with Python's imaplib", async () => {
    const script = `
import imaplib, sys, hashlib, json
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.login(sys.argv[2], sys.argv[3])
m.select("INBOX")
out = {}
for item in ["BODY.PEEK[]", "BODY.PEEK[1]", "BINARY.PEEK[2]", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]", "BODY.PEEK[]<100.50>"]:
    for name, uid in (("mixed", sys.argv[4]), ("big", sys.argv[5])):
        typ, data = m.uid("FETCH", uid, "(" + item + ")")
        assert typ == "OK", (typ, data)
        out[name + " " + item] = hashlib.sha256(data[0][1]).hexdigest()
typ, data = m.uid("STORE", sys.argv[4], "+FLAGS", "(\\\\Flagged)")
out["store"] = typ + " " + data[0].decode()
m.logout()
print(json.dumps(out))
`;
    const { stdout } = await run(
      "python3",
      ["-c", script, String(port), USER, TEST_PASSWORD, String(uids.mixed), String(uids.big)],
      { maxBuffer: 1 << 20 },
    );
    const got = JSON.parse(stdout) as Record<string, string>;
    const sha = (bytes: Buffer | string): string =>
      createHash("sha256")
        .update(typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes)
        .digest("hex");
    const bigText = latin1(BIG);
    assert.equal(got["mixed BODY.PEEK[]"], sha(MIXED));
    assert.equal(got["big BODY.PEEK[]"], sha(BIG));
    assert.equal(got["big BODY.PEEK[1]"], sha("A large attachment follows."));
    assert.equal(got["mixed BINARY.PEEK[2]"], sha(ATTACHMENT));
    assert.equal(got["big BINARY.PEEK[2]"], sha(BIG_ATTACHMENT));
    assert.equal(got["big BODY.PEEK[HEADER.FIELDS (SUBJECT)]"], sha("Subject: Large\r\n\r\n"));
    assert.equal(got["big BODY.PEEK[]<100.50>"], sha(bigText.slice(100, 150)));
    assert.equal(got["mixed BODY.PEEK[]<100.50>"], sha(MIXED.subarray(100, 150)));
    assert.match(got.store ?? "", /^OK \d+ \(FLAGS \(.*\\Flagged.*\) UID \d+\)$/);
  });
});

// SEARCH and UID SEARCH over real sockets (RFC 9051 §6.4.4, RFC 4731 ESEARCH, RFC 5182 SEARCHRES,
// RFC 5032, RFC 8474, RFC 7162 MODSEQ): every search key, OR/NOT/(), CHARSET, RETURN options, SAVE and
// `$`, IMAP4rev2's ESEARCH, and flag changes made by a second connection — driven by imapflow and by
// Python's imaplib with literal command text.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { ImapFlow } from "imapflow";
import type { Uid } from "../src/kit/ids.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const USER = "searcher@example.test";

/** Runs commands over one imaplib connection; returns each one's status, text and untagged data. */
const PYTHON_RUNNER = `
import imaplib, json, sys
req = json.load(sys.stdin)
m = imaplib.IMAP4("127.0.0.1", req["port"])
m.login(req["user"], req["password"])
out = []
def dec(v):
    if isinstance(v, bytes): return v.decode("utf-8", "replace")
    if isinstance(v, tuple): return [dec(x) for x in v]
    return v
for c in req["commands"]:
    m.untagged_responses.clear()
    if c.get("literal") is not None: m.literal = c["literal"].encode(c.get("encoding", "utf-8"))
    try:
        typ, data = m._simple_command(*c["cmd"].split(" ", 1))
        if c["cmd"].startswith("SELECT") and typ == "OK": m.state = "SELECTED"
    except m.error as e:
        typ, data = "ERR", [str(e)]
    untagged = {k: [dec(x) for x in v if x is not None] for k, v in m.untagged_responses.items()}
    out.append({"status": typ, "data": [dec(d) for d in data if d is not None], "untagged": untagged})
m.logout()
print(json.dumps(out))
`;

interface PyResult {
  status: string;
  data: string[];
  untagged: Record<string, string[]>;
}

function runImaplib(
  port: number,
  commands: { cmd: string; literal?: string; encoding?: string }[],
): Promise<PyResult[]> {
  return new Promise((resolve, reject) => {
    const child = execFile("python3", ["-c", PYTHON_RUNNER], { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as PyResult[]);
    });
    child.stdin?.end(JSON.stringify({ port, user: USER, password: TEST_PASSWORD, commands }));
  });
}

/** `* SEARCH 1 2 3` data as numbers. */
const numbers = (r: PyResult): number[] =>
  (r.untagged.SEARCH ?? [])
    .join(" ")
    .split(" ")
    .filter((s) => s !== "")
    .map(Number);

const MESSAGES = [
  {
    // UID 1, expunged in setup so that sequence numbers and UIDs differ
    raw: "From: junk@example.com\r\nSubject: junk\r\n\r\njunk\r\n",
    flags: ["\\Deleted"],
    date: new Date("2024-08-01T10:00:00Z"),
  },
  {
    // UID 2, seq 1
    raw: [
      "From: Alice Example <alice@example.com>",
      "To: Bob <bob@example.org>",
      "Cc: Carol <carol@example.net>",
      "Subject: Quarterly REPORT",
      "X-Priority: 1 (Highest)",
      "Date: Mon, 02 Sep 2024 10:00:00 +0000",
      "Message-ID: <q1@example.com>",
      "",
      "The numbers are in the attachment.",
      "",
    ].join("\r\n"),
    flags: ["\\Seen", "$Work"],
    date: new Date("2024-09-02T10:00:00Z"),
  },
  {
    // UID 3, seq 2
    raw: [
      "From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.de>",
      "To: dasha@example.ru",
      "Bcc: hidden@example.org",
      "Subject: =?UTF-8?B?0J/RgNC40LLQtdGCLCDQnNCY0KA=?=",
      "Date: Tue, 03 Sep 2024 10:00:00 +0000",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: 8bit",
      "",
      "Grüße aus der Straße.",
      "",
    ].join("\r\n"),
    flags: ["\\Answered", "\\Flagged"],
    date: new Date("2024-09-03T10:00:00Z"),
  },
  {
    // UID 4, seq 3: no Date: header, large
    raw: `From: drafter@example.com\r\nSubject: Draft idea\r\n\r\n${"lorem ipsum ".repeat(500)}\r\n`,
    flags: ["\\Draft", "\\Deleted"],
    date: new Date("2024-09-04T10:00:00Z"),
  },
];

describe("IMAP SEARCH over real sockets", () => {
  let server: TestServer;
  let client: ImapFlow;
  let port: number;

  const connect = async (): Promise<ImapFlow> => {
    const c = new ImapFlow({
      host: "127.0.0.1",
      port,
      secure: false,
      tls: { rejectUnauthorized: false },
      auth: { user: USER, pass: TEST_PASSWORD },
      logger: false,
    });
    await c.connect();
    return c;
  };

  before(async () => {
    server = await startTestServer();
    port = server.port("imap");
    await server.addUser(USER);
    client = await connect();
    for (const m of MESSAGES) await client.append("INBOX", m.raw, m.flags, m.date);
    // UID 5, seq 4: arrives now (YOUNGER), no flags
    await client.append("INBOX", "From: new@example.com\r\nSubject: fresh\r\n\r\nfresh body\r\n");
    await client.mailboxOpen("INBOX");
    await client.messageDelete("1", { uid: true });
  });
  after(async () => {
    await client.logout().catch(() => {});
    await server.stop();
  });

  it("answers every search key through imapflow", async () => {
    const s = async (query: Parameters<ImapFlow["search"]>[0]) =>
      (await client.search(query, { uid: true })) || [];
    assert.deepEqual(await s({ all: true }), [2, 3, 4, 5]);
    assert.deepEqual(await s({ seen: true }), [2]);
    assert.deepEqual(await s({ seen: false }), [3, 4, 5]);
    assert.deepEqual(await s({ answered: true }), [3]);
    assert.deepEqual(await s({ flagged: true }), [3]);
    assert.deepEqual(await s({ deleted: true }), [4]);
    assert.deepEqual(await s({ draft: true }), [4]);
    assert.deepEqual(await s({ keyword: "$work" }), [2]);
    assert.deepEqual(await s({ unKeyword: "$Work" }), [3, 4, 5]);
    assert.deepEqual(await s({ larger: 2000 }), [4]);
    assert.deepEqual(await s({ smaller: 2000 }), [2, 3, 5]);
    assert.deepEqual(await s({ subject: "quarterly" }), [2]);
    assert.deepEqual(await s({ subject: "привет" }), [3]);
    assert.deepEqual(await s({ from: "JÜRGEN" }), [3]);
    assert.deepEqual(await s({ to: "example" }), [2, 3]);
    assert.deepEqual(await s({ cc: "carol" }), [2]);
    assert.deepEqual(await s({ bcc: "hidden" }), [3]);
    assert.deepEqual(await s({ body: "grüsse" }), [3]);
    assert.deepEqual(await s({ text: "bob@example.org" }), [2]);
    assert.deepEqual(await s({ header: { "x-priority": "highest" } }), [2]);
    assert.deepEqual(await s({ header: { "message-id": "q1@example" } }), [2]);
    assert.deepEqual(await s({ on: new Date("2024-09-03T00:00:00Z") }), [3]);
    assert.deepEqual(await s({ since: new Date("2024-09-03T00:00:00Z") }), [3, 4, 5]);
    assert.deepEqual(await s({ before: new Date("2024-09-03T00:00:00Z") }), [2]);
    assert.deepEqual(await s({ sentOn: new Date("2024-09-02T00:00:00Z") }), [2]);
    assert.deepEqual(await s({ sentBefore: new Date("2024-09-04T00:00:00Z") }), [2, 3]);
    assert.deepEqual(
      await s({ sentSince: new Date("2024-09-04T00:00:00Z") }),
      [4, 5],
      "no Date: → internal date",
    );
    assert.deepEqual(await s({ uid: "3:*" }), [3, 4, 5]);
    assert.deepEqual(await s({ or: [{ seen: true }, { draft: true }] }), [2, 4]);
    assert.deepEqual(await s({ not: { subject: "report" } }), [3, 4, 5]);
    assert.deepEqual(await client.search({ seen: false }), [2, 3, 4], "sequence numbers");
  });

  it("answers raw keys, combinations, CHARSET and ESEARCH through imaplib", async () => {
    const results = await runImaplib(port, [
      { cmd: "SELECT INBOX" },
      { cmd: "SEARCH OR SEEN (DRAFT LARGER 100) NOT 4" },
      { cmd: "UID SEARCH (OR ANSWERED DELETED) NOT SUBJECT idea" },
      { cmd: "SEARCH 2:* UID 1:4" },
      { cmd: "SEARCH RECENT" },
      { cmd: "SEARCH NEW" },
      { cmd: "SEARCH OLD" },
      { cmd: "SEARCH YOUNGER 3600" },
      { cmd: "SEARCH OLDER 3600" },
      { cmd: "SEARCH SAVEDSINCE 1-Jan-2000 SAVEDATESUPPORTED" },
      { cmd: "SEARCH SAVEDBEFORE 1-Jan-2000" },
      { cmd: "SEARCH SAVEDON 1-Jan-2000" },
      { cmd: "SEARCH MODSEQ 1" },
      { cmd: "SEARCH UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNSEEN" },
      { cmd: "SEARCH CHARSET UTF-8 SUBJECT", literal: "ПРИВЕТ" },
      { cmd: "SEARCH CHARSET us-ascii FROM alice" },
      { cmd: "SEARCH CHARSET KOI8-R SUBJECT", literal: "ПРИВЕТ", encoding: "koi8-r" },
      { cmd: "SEARCH CHARSET X-NO-SUCH-CHARSET FROM alice" },
      { cmd: "UID SEARCH RETURN (MIN MAX COUNT ALL) NOT DELETED" },
      { cmd: "SEARCH RETURN () ALL" },
      { cmd: "SEARCH RETURN (COUNT) SUBJECT nothing-matches" },
      { cmd: "SEARCH 99" },
      { cmd: "SEARCH NOSUCHKEY" },
    ]);
    const [
      ,
      orNot,
      uidSearch,
      seqUid,
      recent,
      fresh,
      old,
      younger,
      older,
      saved,
      savedBefore,
      savedOn,
      modSeq,
    ] = results as PyResult[];
    assert.deepEqual(numbers(orNot as PyResult), [1, 3]);
    assert.deepEqual(numbers(uidSearch as PyResult), [3]);
    assert.deepEqual(numbers(seqUid as PyResult), [2, 3]);
    // imapflow's SELECT already claimed \Recent for every message (RFC 3501: exactly one session).
    assert.deepEqual(numbers(recent as PyResult), []);
    assert.deepEqual(numbers(fresh as PyResult), []);
    assert.deepEqual(numbers(old as PyResult), [1, 2, 3, 4]);
    assert.deepEqual(numbers(younger as PyResult), [4]);
    assert.deepEqual(numbers(older as PyResult), [1, 2, 3]);
    assert.deepEqual(numbers(saved as PyResult), [1, 2, 3, 4]);
    assert.deepEqual(numbers(savedBefore as PyResult), []);
    assert.deepEqual(numbers(savedOn as PyResult), []);
    assert.match((modSeq as PyResult).untagged.SEARCH?.join(" ") ?? "", /^1 2 3 4 \(MODSEQ \d+\)$/);
    const rest = results.slice(13);
    const [unAll, utf8, ascii, koi8, noCharset, esearch, returnAll, count, beyond, unknown] =
      rest as PyResult[];
    assert.deepEqual(numbers(unAll as PyResult), [4]);
    assert.deepEqual(numbers(utf8 as PyResult), [2]);
    assert.deepEqual(numbers(ascii as PyResult), [1]);
    assert.deepEqual(numbers(koi8 as PyResult), [2], "a legacy charset's bytes are decoded from it");
    assert.equal(noCharset?.status, "NO");
    assert.match(noCharset?.data.join(" ") ?? "", /\[BADCHARSET \(UTF-8 US-ASCII ISO-8859-1 /);
    assert.match(esearch?.untagged.ESEARCH?.[0] ?? "", /^\(TAG "[^"]+"\) UID MIN 2 MAX 5 ALL 2:3,5 COUNT 3$/);
    assert.match(returnAll?.untagged.ESEARCH?.[0] ?? "", /^\(TAG "[^"]+"\) ALL 1:4$/);
    assert.match(count?.untagged.ESEARCH?.[0] ?? "", /^\(TAG "[^"]+"\) COUNT 0$/);
    assert.equal(beyond?.status, "ERR", "a message number beyond the mailbox is BAD");
    assert.equal(unknown?.status, "ERR");
  });

  it("finds RECENT, NEW and OLD messages in the session that claimed \\Recent", async () => {
    await client.mailboxCreate("Fresh");
    await client.append("Fresh", "Subject: one\r\n\r\nx\r\n", ["\\Seen"]);
    await client.append("Fresh", "Subject: two\r\n\r\ny\r\n");
    const results = await runImaplib(port, [
      { cmd: "SELECT Fresh" },
      { cmd: "SEARCH RECENT" },
      { cmd: "SEARCH NEW" },
      { cmd: "SEARCH OLD" },
      { cmd: "SELECT Fresh" },
      { cmd: "SEARCH RECENT" },
      { cmd: "SEARCH OLD" },
    ]);
    assert.deepEqual(results.slice(1, 4).map(numbers), [[1, 2], [2], []]);
    assert.deepEqual(results.slice(5).map(numbers), [[], [1, 2]], "the second SELECT sees nothing recent");
  });

  it("finds messages by EMAILID and THREADID (RFC 8474)", async () => {
    const store = server.server.services.store;
    const account = await store.accounts.findByAddress(USER);
    const inbox = account && (await store.mailboxes.findByName(account.id, "INBOX"));
    const [entry] = inbox ? await store.messages.getEntries(inbox.id, [2 as Uid]) : [];
    assert.ok(entry);
    const results = await runImaplib(port, [
      { cmd: "SELECT INBOX" },
      { cmd: `UID SEARCH EMAILID ${entry.emailId}` },
      { cmd: `SEARCH THREADID ${entry.threadId}` },
      { cmd: "SEARCH EMAILID Enonexistent" },
    ]);
    assert.deepEqual(results.slice(1).map(numbers), [[2], [1], []]);
  });

  it("saves a result with RETURN (SAVE) and reuses it as $", async () => {
    const results = await runImaplib(port, [
      { cmd: "SELECT INBOX" },
      { cmd: "SEARCH RETURN (SAVE) OR SEEN FLAGGED" },
      { cmd: "SEARCH $" },
      { cmd: "UID SEARCH UID $" },
      { cmd: "SEARCH $ SUBJECT report" },
      { cmd: "UID FETCH $ (UID)" },
      { cmd: "UID SEARCH RETURN (SAVE MIN) NOT SEEN" },
      { cmd: "UID SEARCH UID $" },
      { cmd: "SEARCH RETURN (SAVE COUNT MAX) NOT SEEN" },
      { cmd: "UID SEARCH $" },
      { cmd: "SEARCH RETURN (SAVE) CHARSET X-NO-SUCH-CHARSET SUBJECT x" },
      { cmd: "SEARCH $" },
    ]);
    const [, save, seq, uid, narrowed, fetch, saveMin, afterMin, saveCount, afterCount, failed, afterFail] =
      results as PyResult[];
    assert.equal(save?.status, "OK");
    assert.deepEqual(save?.untagged.ESEARCH ?? [], [], "SAVE alone returns no ESEARCH");
    assert.deepEqual(numbers(seq as PyResult), [1, 2]);
    assert.deepEqual(numbers(uid as PyResult), [2, 3]);
    assert.deepEqual(numbers(narrowed as PyResult), [1]);
    assert.equal(fetch?.untagged.FETCH?.length, 2);
    assert.match(saveMin?.untagged.ESEARCH?.[0] ?? "", /UID MIN 3$/);
    assert.deepEqual(numbers(afterMin as PyResult), [3], "MIN with SAVE saves only the minimum");
    assert.match(saveCount?.untagged.ESEARCH?.[0] ?? "", /MAX 4 COUNT 3$/);
    assert.deepEqual(numbers(afterCount as PyResult), [3, 4, 5], "COUNT with SAVE saves everything");
    assert.equal(failed?.status, "NO");
    assert.deepEqual(numbers(afterFail as PyResult), [], "a failed SAVE leaves $ empty");
  });

  it("answers with ESEARCH after ENABLE IMAP4rev2", async () => {
    const results = await runImaplib(port, [
      { cmd: "ENABLE IMAP4rev2" },
      { cmd: "SELECT INBOX" },
      { cmd: "SEARCH SEEN" },
      { cmd: "UID SEARCH NOT SEEN" },
      { cmd: "SEARCH RECENT" },
    ]);
    const [, , seen, notSeen, recent] = results as PyResult[];
    assert.deepEqual(seen?.untagged.SEARCH ?? [], []);
    assert.match(seen?.untagged.ESEARCH?.[0] ?? "", /^\(TAG "[^"]+"\) ALL 1$/);
    assert.match(notSeen?.untagged.ESEARCH?.[0] ?? "", /^\(TAG "[^"]+"\) UID ALL 3:5$/);
    assert.match(recent?.untagged.ESEARCH?.[0] ?? "", /^\(TAG "[^"]+"\)$/);
  });

  it("sees flag changes and new mail from a second connection", async () => {
    const other = await connect();
    try {
      await other.mailboxOpen("INBOX");
      await other.messageFlagsAdd("5", ["\\Seen", "$Todo"], { uid: true });
      await other.append("INBOX", "From: late@example.com\r\nSubject: late arrival\r\n\r\nlate\r\n");
      assert.deepEqual(await client.search({ seen: true }, { uid: true }), [2, 5]);
      assert.deepEqual(await client.search({ keyword: "$todo" }, { uid: true }), [5]);
      assert.deepEqual(await client.search({ subject: "late arrival" }, { uid: true }), [6]);
      await other.messageFlagsRemove("5", ["\\Seen"], { uid: true });
      assert.deepEqual(await client.search({ seen: false, deleted: false }, { uid: true }), [3, 5, 6]);
    } finally {
      await other.logout();
    }
  });
});

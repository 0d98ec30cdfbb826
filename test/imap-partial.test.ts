// PARTIAL (RFC 9394) over real sockets: paged SEARCH, UID SEARCH, SORT and UID SORT answered as
// `PARTIAL (range set)` and paged FETCH/UID FETCH, each compared with slicing the full result over a
// generated mailbox with UID gaps; MIN/MAX/COUNT beside PARTIAL, SAVE of a window, SORT RETURN (SAVE)
// (RFC 5182 with RFC 5267 ESORT), the RFC's examples, and malformed ranges answered BAD.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ImapFlow } from "imapflow";
import type { MailboxId } from "../src/kit/ids.js";
import { indexMessage } from "../src/mime/index/index-message.js";
import type { NewMessage, SystemFlag } from "../src/store/mail-store.js";
import { esearchLines, expandSet } from "./helpers/esearch.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const USER = "pager@example.test";
const COUNT = 330;

/** UIDs of `* n FETCH (UID u)` lines, in the order sent. */
const fetchedUids = (reply: string): number[] =>
  [...reply.matchAll(/^\* \d+ FETCH \(.*?\bUID (\d+)/gm)].map((m) => Number(m[1]));

describe("PARTIAL (RFC 9394): paged SEARCH, SORT and FETCH", () => {
  let server: TestServer;
  let client: RawImap;

  before(async () => {
    server = await startTestServer();
    await server.addUser(USER);
    const store = server.server.services.store;
    const account = await store.accounts.findByAddress(USER);
    const inbox = (await store.mailboxes.findByName(account?.id as never, "INBOX"))?.id as MailboxId;
    const news: NewMessage[] = [];
    for (let i = 1; i <= COUNT; i++) {
      const raw = Buffer.from(
        `From: s${i % 13}@example.test\r\nSubject: topic ${(i * 37) % 101}\r\nMessage-ID: <m${i}@x>\r\n\r\nbody ${i}\r\n`,
      );
      const { hash } = await store.blobs.put(raw);
      const system = new Set<SystemFlag>();
      if (i % 3 === 0) system.add("\\Flagged");
      if (i % 11 === 0) system.add("\\Deleted");
      news.push({
        blobHash: hash,
        index: indexMessage(raw),
        flags: { system, keywords: [] },
        internalDateMs: Date.UTC(2025, 0, 1) + i * 60_000,
      });
    }
    await store.messages.appendMany(account?.id as never, inbox, news);
    client = await RawImap.connect(server.port("imap"));
    await client.command("a", `LOGIN ${USER} ${TEST_PASSWORD}`);
    await client.command("b", "SELECT INBOX");
    // Every 11th message goes: UIDs have gaps, so positions and UIDs differ.
    assert.match(await client.command("c", "EXPUNGE"), /c OK/);
  });
  after(async () => {
    client.close();
    await server.stop();
  });

  async function esearch(command: string) {
    const reply = await client.command("t", command);
    assert.match(reply, /t OK/, reply);
    const lines = esearchLines(reply);
    assert.equal(lines.length, 1, reply);
    return lines[0] as ReturnType<typeof esearchLines>[number];
  }

  it("advertises PARTIAL", async () => {
    assert.match(await client.command("c", "CAPABILITY"), /^\* CAPABILITY .* PARTIAL[ \r]/m);
  });

  it("answers the RFC 9394 examples' shapes: first and last pages of UID SEARCH", async () => {
    const full = (await esearch("UID SEARCH RETURN (ALL) UNDELETED")).all as number[];
    const first = await esearch("UID SEARCH RETURN (PARTIAL 1:5) UNDELETED");
    assert.match(first.line, /^\* ESEARCH \(TAG "t"\) UID PARTIAL \(1:5 [0-9:,]+\)$/);
    assert.deepEqual(first.partial?.numbers, full.slice(0, 5));
    const last = await esearch("UID SEARCH RETURN (PARTIAL -1:-5) UNDELETED");
    assert.equal(last.partial?.range, "-1:-5");
    assert.deepEqual(last.partial?.numbers, full.slice(-5));
    // Either order of the ends names the same range, echoed in the normal form.
    assert.equal((await esearch("UID SEARCH RETURN (PARTIAL -5:-1) UNDELETED")).partial?.range, "-1:-5");
    assert.equal((await esearch("UID SEARCH RETURN (PARTIAL 9:3) UNDELETED")).partial?.range, "3:9");
  });

  it("every window of SEARCH and UID SEARCH equals the slice of the full result", async () => {
    const ranges: [number, number][] = [
      [1, 1],
      [1, 10],
      [11, 20],
      [95, 105],
      [250, 400],
      [290, 300],
      [1000, 2000],
    ];
    for (const prefix of ["SEARCH", "UID SEARCH"])
      for (const criteria of ["ALL", "FLAGGED", "UNFLAGGED SUBJECT topic"]) {
        const full = (await esearch(`${prefix} RETURN (ALL) ${criteria}`)).all ?? [];
        for (const [a, b] of ranges) {
          const page = await esearch(`${prefix} RETURN (PARTIAL ${a}:${b}) ${criteria}`);
          assert.deepEqual(page.partial?.numbers, full.slice(a - 1, b), `${prefix} ${criteria} ${a}:${b}`);
          const back = await esearch(`${prefix} RETURN (PARTIAL -${a}:-${b}) ${criteria}`);
          const expected = full.filter((_, i) => full.length - i >= a && full.length - i <= b);
          assert.deepEqual(back.partial?.numbers, expected, `${prefix} ${criteria} -${a}:-${b}`);
        }
      }
  });

  it("paging 50 at a time until NIL yields the whole result exactly once", async () => {
    const full = (await esearch("UID SEARCH RETURN (ALL) UNFLAGGED")).all ?? [];
    const paged: number[] = [];
    for (let start = 1; ; start += 50) {
      const page = await esearch(`UID SEARCH RETURN (PARTIAL ${start}:${start + 49}) UNFLAGGED`);
      if (page.partial?.numbers.length === 0) {
        assert.match(page.line, /PARTIAL \(\d+:\d+ NIL\)$/);
        break;
      }
      paged.push(...(page.partial?.numbers ?? []));
    }
    assert.deepEqual(paged, full);
  });

  it("computes MIN, MAX and COUNT over the whole result beside PARTIAL", async () => {
    const full = (await esearch("UID SEARCH RETURN (ALL) FLAGGED")).all ?? [];
    const page = await esearch("UID SEARCH RETURN (MIN MAX COUNT PARTIAL 2:4) FLAGGED");
    assert.equal(page.min, full[0]);
    assert.equal(page.max, full.at(-1));
    assert.equal(page.count, full.length);
    assert.deepEqual(page.partial?.numbers, full.slice(1, 4));
  });

  it("SORT and UID SORT windows follow the sort order", async () => {
    for (const prefix of ["SORT", "UID SORT"]) {
      const reply = await client.command("s", `${prefix} (REVERSE SUBJECT FROM) UTF-8 ALL`);
      const sorted = (/^\* SORT ([0-9 ]+)\r$/m.exec(reply)?.[1] ?? "").split(" ").map(Number);
      assert.ok(sorted.length > 250);
      for (const [a, b] of [
        [1, 25],
        [26, 50],
        [280, 400],
      ] as const) {
        const page = await esearch(`${prefix} RETURN (PARTIAL ${a}:${b}) (REVERSE SUBJECT FROM) UTF-8 ALL`);
        assert.deepEqual(page.partial?.numbers, sorted.slice(a - 1, b), `${prefix} ${a}:${b}`);
        const back = await esearch(`${prefix} RETURN (PARTIAL -${a}:-${b}) (REVERSE SUBJECT FROM) UTF-8 ALL`);
        assert.deepEqual(
          back.partial?.numbers,
          sorted.slice(Math.max(0, sorted.length - b), sorted.length - a + 1),
        );
      }
      const edges = await esearch(`${prefix} RETURN (MIN MAX PARTIAL 1:3) (SUBJECT) UTF-8 ALL`);
      const bySubject = (
        /^\* SORT ([0-9 ]+)\r$/m.exec(await client.command("s", `${prefix} (SUBJECT) UTF-8 ALL`))?.[1] ?? ""
      )
        .split(" ")
        .map(Number);
      assert.equal(edges.min, bySubject[0]);
      assert.equal(edges.max, bySubject.at(-1));
      assert.deepEqual(edges.partial?.numbers, bySubject.slice(0, 3));
    }
  });

  it("FETCH and UID FETCH with the PARTIAL modifier page through the set in UID order", async () => {
    const all = fetchedUids(await client.command("f", "UID FETCH 1:* (UID)"));
    assert.ok(all.length > 250);
    assert.deepEqual(
      fetchedUids(await client.command("f", "UID FETCH 1:* (UID) (PARTIAL -1:-30)")),
      all.slice(-30),
    );
    assert.deepEqual(
      fetchedUids(await client.command("f", "UID FETCH 1:* (UID) (PARTIAL 1:30)")),
      all.slice(0, 30),
    );
    assert.deepEqual(
      fetchedUids(await client.command("f", "FETCH 5:50 (UID) (PARTIAL 3:7)")),
      all.slice(6, 11),
    );
    assert.deepEqual(fetchedUids(await client.command("f", "FETCH 1:* (UID) (PARTIAL 900:999)")), []);
    // With CHANGEDSINCE the window is taken of the changed messages only.
    const highest = Number(
      / MODSEQ (\d+)/.exec(await client.command("g", "UID SEARCH RETURN (COUNT) MODSEQ 1"))?.[1],
    );
    await client.command("g", "UID STORE 40:60 +FLAGS.SILENT (\\Answered)");
    const changed = fetchedUids(await client.command("f", `UID FETCH 1:* (UID) (CHANGEDSINCE ${highest})`));
    assert.deepEqual(
      changed,
      all.filter((uid) => uid >= 40 && uid <= 60),
    );
    const window = fetchedUids(
      await client.command("f", `UID FETCH 1:* (UID) (CHANGEDSINCE ${highest} PARTIAL -1:-4)`),
    );
    assert.deepEqual(window, changed.slice(-4));
  });

  it("SAVE beside PARTIAL keeps just the window as $", async () => {
    const page = await esearch("UID SEARCH RETURN (SAVE PARTIAL 5:9) FLAGGED");
    assert.equal(page.partial?.numbers.length, 5);
    assert.deepEqual(fetchedUids(await client.command("f", "UID FETCH $ (UID)")), page.partial?.numbers);
  });

  it("SORT RETURN (SAVE) saves the sorted result as $ and answers no ESEARCH (RFC 5182, RFC 5267)", async () => {
    const reply = await client.command("s", "UID SORT RETURN (SAVE) (SUBJECT) UTF-8 FLAGGED");
    assert.match(reply, /^s OK/m);
    assert.doesNotMatch(reply, /ESEARCH|\* SORT/);
    const flagged = (await esearch("UID SEARCH RETURN (ALL) FLAGGED")).all ?? [];
    assert.deepEqual(fetchedUids(await client.command("f", "UID FETCH $ (UID)")), flagged);
    // MIN alone saves the first message in sort order.
    const min = await esearch("UID SORT RETURN (MIN SAVE) (REVERSE SUBJECT) UTF-8 FLAGGED");
    assert.deepEqual(fetchedUids(await client.command("f", "UID FETCH $ (UID)")), [min.min]);
    // SORT RETURN (SAVE PARTIAL) keeps the window; `$` then feeds a SEARCH.
    const page = await esearch("UID SORT RETURN (SAVE PARTIAL 1:4) (SUBJECT) UTF-8 FLAGGED");
    const saved = await esearch("UID SEARCH RETURN (ALL) UID $");
    assert.deepEqual(
      saved.all,
      [...(page.partial?.numbers ?? [])].sort((a, b) => a - b),
    );
    // A SORT with SAVE that fails leaves `$` empty.
    assert.match(
      await client.command("x", "SORT RETURN (SAVE) (SUBJECT) NO-SUCH-CHARSET ALL"),
      /^x NO \[BADCHARSET/m,
    );
    assert.deepEqual(fetchedUids(await client.command("f", "UID FETCH $ (UID)")), []);
  });

  it("answers malformed ranges and combinations with BAD", async () => {
    for (const command of [
      "UID SEARCH RETURN (PARTIAL 0:5) ALL",
      "UID SEARCH RETURN (PARTIAL 1:-5) ALL",
      "UID SEARCH RETURN (PARTIAL -1:5) ALL",
      "UID SEARCH RETURN (PARTIAL 1:*) ALL",
      "UID SEARCH RETURN (PARTIAL 5) ALL",
      "UID SEARCH RETURN (PARTIAL) ALL",
      "UID SEARCH RETURN (PARTIAL 1:5 PARTIAL 6:9) ALL",
      "UID SEARCH RETURN (ALL PARTIAL 1:5) ALL",
      "UID SEARCH RETURN (PARTIAL 1:4294967296) ALL",
      "UID SORT RETURN (PARTIAL -0:-3) (SUBJECT) UTF-8 ALL",
      "UID FETCH 1:* (UID) (PARTIAL)",
      "UID FETCH 1:* (UID) (PARTIAL 1:2 PARTIAL 3:4)",
      "FETCH 1:* (UID) (PARTIAL x:y)",
    ]) {
      assert.match(await client.command("z", command), /^z BAD /m, command);
    }
    // The session goes on after them.
    assert.match(await client.command("n", "NOOP"), /^n OK/m);
  });

  it("imapflow sees the capabilities and its searches and fetches agree with the paged answers", async () => {
    const flow = new ImapFlow({
      host: "127.0.0.1",
      port: server.port("imap"),
      secure: false,
      tls: { rejectUnauthorized: false },
      auth: { user: USER, pass: TEST_PASSWORD },
      logger: false,
    });
    await flow.connect();
    try {
      for (const cap of ["PARTIAL", "CONTEXT=SEARCH", "CONTEXT=SORT", "MULTISEARCH", "ESEARCH"])
        assert.ok(flow.capabilities.has(cap), cap);
      const lock = await flow.getMailboxLock("INBOX");
      try {
        const flagged = (await flow.search({ flagged: true }, { uid: true })) || [];
        const pages: number[] = [];
        for (let start = 1; start <= flagged.length; start += 40)
          pages.push(
            ...((await esearch(`UID SEARCH RETURN (PARTIAL ${start}:${start + 39}) FLAGGED`)).partial
              ?.numbers ?? []),
          );
        assert.deepEqual(pages, flagged);
        const last = fetchedUids(await client.command("f", "UID FETCH 1:* (UID) (PARTIAL -1:-10)"));
        const viaFlow: number[] = [];
        for await (const message of flow.fetch(`${last[0]}:*`, { uid: true }, { uid: true }))
          viaFlow.push(message.uid);
        assert.deepEqual(viaFlow, last);
      } finally {
        lock.release();
      }
    } finally {
      await flow.logout();
    }
  });

  it("expandSet reads the sets written here", () => {
    assert.deepEqual(expandSet("1:3,7,9:8"), [1, 2, 3, 7, 9, 8]);
  });
});

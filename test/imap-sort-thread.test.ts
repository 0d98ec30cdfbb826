// SORT, SORT=DISPLAY, ESORT and THREAD (RFC 5256, RFC 5957, RFC 5267) over real sockets, checked against a
// straightforward reference implementation written here from the RFC text: a generated corpus with known
// threads (bench/corpus.ts) plus hand-made edge cases (no Date, Re:/Fwd: subjects, groups, missing and
// duplicate parents, reference loops), every sort criterion alone, reversed and combined, both thread
// algorithms, over the whole mailbox and over a SEARCH-restricted subset; imaplib's sort()/thread() for
// interop; on both store backends.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { generateCorpus } from "../bench/corpus.js";
import type { MailboxId } from "../src/kit/ids.js";
import { baseSubject } from "../src/mime/base-subject.js";
import { indexMessage } from "../src/mime/index/index-message.js";
import type { IndexedAddress, IndexedAddressEntry, MessageIndex } from "../src/mime/message-index.js";
import type { NewMessage } from "../src/store/mail-store.js";
import { describeWithPostgres } from "../src/store/postgres/postgres-test-harness.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const USER = "sorter@example.test";
const CORPUS_SIZE = 240;

/** Edge cases appended after the corpus (internal dates follow their position). */
const EDGE_CASES = [
  "From: Zed <zed@example.com>\r\nTo: a@x.test\r\nSubject: Re: edge thread\r\nMessage-ID: <e1@x>\r\nReferences: <missing@x>\r\n",
  'From: "" <Anna@Example.com>\r\nCc: undisclosed:;, Bea <bea@x.test>\r\nSubject: [list] Fwd: edge thread\r\nMessage-ID: <e2@x>\r\nReferences: <missing@x>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n',
  "From: anna@example.com\r\nSubject: edge thread (fwd)\r\nMessage-ID: <e3@x>\r\nIn-Reply-To: <e2@x>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n",
  "Subject: =?UTF-8?Q?=C3=84rger?=\r\nMessage-ID: <e2@x>\r\nDate: Sun, 31 Dec 2023 23:00:00 -0500\r\n",
  "From: loop <l@x>\r\nSubject: loop\r\nMessage-ID: <l1@x>\r\nReferences: <l2@x>\r\n",
  "From: loop <l@x>\r\nSubject: loop\r\nMessage-ID: <l2@x>\r\nReferences: <l1@x>\r\n",
  "From: Deep <d@x>\r\nSubject: deep\r\nMessage-ID: <d3@x>\r\nReferences: <d1@x> <d2@x>\r\nDate: Tue, 2 Jan 2024 00:00:00 +0000\r\n",
  "From: Deep <d@x>\r\nSubject: Re: deep\r\nMessage-ID: <d4@x>\r\nReferences: <d1@x> <d5@x>\r\nDate: Tue, 2 Jan 2024 00:00:00 +0000\r\n",
  "Subject: Re: [fwd: Re: deep]\r\nDate: Tue, 2 Jan 2024 00:00:00 +0000\r\n",
  "Subject: \r\n",
];

interface Message {
  readonly seq: number;
  readonly uid: number;
  readonly index: MessageIndex;
  readonly internalDateMs: number;
}

// ---- the reference implementation: plain, slow, written from RFC 5256 / RFC 5957 -------------------

const firstAddress = (list: readonly IndexedAddressEntry[]): IndexedAddress | undefined =>
  list.flatMap((e) => ("group" in e ? e.members : [e]))[0];
/** i;unicode-casemap as RFC 5051 describes it: case-mapped, then NFKD. */
const fold = (s: string) => s.toUpperCase().normalize("NFKD");
const mailboxPart = (a: IndexedAddress | undefined) =>
  fold(a ? a.address.slice(0, a.address.lastIndexOf("@")) : "");
const display = (a: IndexedAddress | undefined) =>
  fold(a ? (a.name?.trim() ? a.name.trim() : a.address) : "");
const sentDate = (m: Message) => m.index.headers.sentAtMs ?? m.internalDateMs;
const subjectOf = (m: Message) => baseSubject(m.index.headers.subject);

function sortValue(m: Message, key: string): string | number {
  const h = m.index.headers;
  const values: Record<string, string | number> = {
    ARRIVAL: m.internalDateMs,
    DATE: sentDate(m),
    SIZE: m.index.size,
    CC: mailboxPart(firstAddress(h.cc)),
    FROM: mailboxPart(firstAddress(h.from)),
    TO: mailboxPart(firstAddress(h.to)),
    SUBJECT: subjectOf(m).key,
    DISPLAYFROM: display(firstAddress(h.from)),
    DISPLAYTO: display(firstAddress(h.to)),
  };
  return values[key] as string | number;
}

function compareValues(x: string | number, y: string | number): number {
  if (typeof x === "number") return x - (y as number);
  return Buffer.compare(Buffer.from(x as string), Buffer.from(y as string));
}

function referenceSort(messages: readonly Message[], criteria: readonly [string, boolean][]): number[] {
  return [...messages]
    .sort((a, b) => {
      for (const [key, isReverse] of criteria) {
        const c = compareValues(sortValue(a, key), sortValue(b, key));
        if (c !== 0) return isReverse ? -c : c;
      }
      return a.seq - b.seq;
    })
    .map((m) => m.seq);
}

interface Node {
  message: Message | null;
  parent: Node | null;
  children: Node[];
}

const nodeKey = (n: Node): Message => (n.message ?? (n.children[0] as Node).message) as Message;
function sortNodes(nodes: Node[]): void {
  for (const n of nodes) sortNodes(n.children);
  nodes.sort((a, b) => sentDate(nodeKey(a)) - sentDate(nodeKey(b)) || nodeKey(a).seq - nodeKey(b).seq);
}
const isAncestor = (maybe: Node, of: Node): boolean => {
  for (let n: Node | null = of; n; n = n.parent) if (n === maybe) return true;
  return false;
};
function setParent(child: Node, parent: Node | null): void {
  if (child.parent) child.parent.children = child.parent.children.filter((c) => c !== child);
  child.parent = parent;
  if (parent) parent.children.push(child);
}

function referenceReferences(messages: readonly Message[]): string {
  const byId = new Map<string, Node>();
  const all: Node[] = [];
  const make = (message: Message | null): Node => {
    const n: Node = { message, parent: null, children: [] };
    all.push(n);
    return n;
  };
  for (const m of messages) {
    const id = m.index.headers.messageId;
    let self = id === null ? undefined : byId.get(id);
    if (self && self.message === null) self.message = m;
    else {
      self = make(m);
      if (id !== null && !byId.has(id)) byId.set(id, self);
    }
    const h = m.index.headers;
    const refs = h.references.length > 0 ? h.references : h.inReplyTo.slice(0, 1);
    const chain = refs.map((r) => byId.get(r) ?? (byId.set(r, make(null)).get(r) as Node));
    for (let i = 1; i < chain.length; i++) {
      const [p, c] = [chain[i - 1] as Node, chain[i] as Node];
      if (c.parent === null && !isAncestor(c, p)) setParent(c, p);
    }
    const last = chain.at(-1);
    if (last === undefined) setParent(self, null);
    else if (!isAncestor(self, last)) setParent(self, last);
  }
  const prune = (nodes: Node[], top: boolean): Node[] =>
    nodes.flatMap((n) => {
      n.children = prune(n.children, false);
      if (n.message === null && (n.children.length === 0 || !top || n.children.length === 1)) {
        for (const c of n.children) c.parent = n.parent;
        return n.children;
      }
      return [n];
    });
  let roots = prune(
    all.filter((n) => n.parent === null),
    true,
  );
  sortNodes(roots);
  const subject = (n: Node) => subjectOf(nodeKey(n)).key;
  const isReply = (n: Node) => n.message !== null && subjectOf(n.message).isReplyOrForward;
  const table = new Map<string, Node>();
  for (const r of roots) {
    const s = subject(r);
    const t = table.get(s);
    if (s === "") continue;
    if (
      !t ||
      (r.message === null && t.message !== null) ||
      (t.message && isReply(t) && r.message && !isReply(r))
    )
      table.set(s, r);
  }
  for (const r of [...roots]) {
    const s = subject(r);
    const t = table.get(s);
    if (s === "" || !t || t === r) continue;
    roots = roots.filter((x) => x !== r);
    if (t.message === null && r.message === null) for (const c of [...r.children]) setParent(c, t);
    else if (t.message === null) setParent(r, t);
    else if (isReply(r) && !isReply(t)) setParent(r, t);
    else {
      const d = make(null);
      roots[roots.indexOf(t)] = d;
      setParent(t, d);
      setParent(r, d);
      table.set(s, d);
    }
  }
  sortNodes(roots);
  return roots.map((r) => `(${format(r)})`).join("");
}

function format(n: Node): string {
  const own = n.message ? `${n.message.seq}` : "";
  if (n.children.length === 0) return own;
  if (n.children.length === 1 && n.message) return `${own} ${format(n.children[0] as Node)}`;
  const branches = n.children.map((c) => `(${format(c)})`).join("");
  return own ? `${own} ${branches}` : branches;
}

function referenceOrderedSubject(messages: readonly Message[]): string {
  const groups = new Map<string, Message[]>();
  for (const m of messages) {
    const s = subjectOf(m).key;
    groups.set(s, [...(groups.get(s) ?? []), m]);
  }
  const byDate = (a: Message, b: Message) => sentDate(a) - sentDate(b) || a.seq - b.seq;
  return [...groups.values()]
    .map((g) => g.sort(byDate))
    .sort((a, b) => byDate(a[0] as Message, b[0] as Message))
    .map(([root, ...rest]) => {
      const r = root as Message;
      if (rest.length === 0) return `(${r.seq})`;
      if (rest.length === 1) return `(${r.seq} ${rest[0]?.seq})`;
      return `(${r.seq} ${rest.map((m) => `(${m.seq})`).join("")})`;
    })
    .join("");
}

// ---- the tests -------------------------------------------------------------------------------------

function describeSortAndThread(backend: "sqlite" | "postgres"): void {
  describe(`SORT and THREAD against the reference implementation: ${backend}`, () => {
    let server: TestServer;
    let client: RawImap;
    let messages: Message[];

    before(async () => {
      server = await startTestServer(undefined, { store: backend });
      await server.addUser(USER);
      const store = server.server.services.store;
      const account = await store.accounts.findByAddress(USER);
      const inbox = (await store.mailboxes.findByName(account?.id as never, "INBOX"))?.id as MailboxId;
      const raws = [
        ...generateCorpus(CORPUS_SIZE, { seed: 7, medianBytes: 300 }),
        ...EDGE_CASES.map((h) => Buffer.from(`${h}\r\nbody\r\n`)),
      ];
      const base = Date.UTC(2025, 0, 1);
      const news: NewMessage[] = [];
      for (const [i, raw] of raws.entries()) {
        const { hash } = await store.blobs.put(raw);
        // Internal dates in a shuffled order, with ties, so ARRIVAL differs from sequence order.
        news.push({
          blobHash: hash,
          index: indexMessage(raw),
          flags: { system: new Set(), keywords: [] },
          internalDateMs: base + ((i * 7919) % 97) * 60_000,
        });
      }
      const results = await store.messages.appendMany(account?.id as never, inbox, news);
      messages = news.map((n, i) => ({
        seq: i + 1,
        uid: results[i]?.uid as number,
        index: n.index,
        internalDateMs: n.internalDateMs,
      }));
      client = await RawImap.connect(server.port("imap"));
      await client.command("a", `LOGIN ${USER} ${TEST_PASSWORD}`);
      await client.command("b", "SELECT INBOX");
    });
    after(async () => {
      client.close();
      await server.stop();
    });

    async function untagged(command: string, name: string): Promise<string> {
      const reply = await client.command("t", command);
      assert.match(reply, /^t OK/m, reply);
      const line = reply.split("\r\n").find((l) => l.startsWith(`* ${name}`));
      assert.ok(line !== undefined, reply);
      return line.slice(`* ${name}`.length).trim();
    }
    const numbers = (text: string) =>
      text
        .split(" ")
        .filter((s) => s !== "")
        .map(Number);

    const KEYS = ["ARRIVAL", "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO", "DISPLAYFROM", "DISPLAYTO"];
    for (const key of KEYS) {
      for (const isReverse of [false, true]) {
        it(`SORT (${isReverse ? "REVERSE " : ""}${key})`, async () => {
          const got = numbers(
            await untagged(`SORT (${isReverse ? "REVERSE " : ""}${key}) UTF-8 ALL`, "SORT"),
          );
          assert.deepEqual(got, referenceSort(messages, [[key, isReverse]]));
        });
      }
    }

    it("SORT with several criteria, and UID SORT over a search", async () => {
      const criteria: [string, boolean][] = [
        ["SUBJECT", false],
        ["REVERSE DATE".split(" ")[1] as string, true],
        ["FROM", false],
      ];
      const got = numbers(await untagged("SORT (SUBJECT REVERSE DATE FROM) utf-8 ALL", "SORT"));
      assert.deepEqual(got, referenceSort(messages, criteria));
      const uids = numbers(
        await untagged("UID SORT (DISPLAYFROM REVERSE SIZE) US-ASCII 1:200 NOT 3", "SORT"),
      );
      const expected = referenceSort(
        messages.filter((m) => m.seq <= 200 && m.seq !== 3),
        [
          ["DISPLAYFROM", false],
          ["SIZE", true],
        ],
      ).map((seq) => messages[seq - 1]?.uid);
      assert.deepEqual(uids, expected);
    });

    it("THREAD=REFERENCES and ORDEREDSUBJECT over the whole mailbox", async () => {
      assert.equal(await untagged("THREAD REFERENCES UTF-8 ALL", "THREAD"), referenceReferences(messages));
      assert.equal(
        await untagged("THREAD ORDEREDSUBJECT UTF-8 ALL", "THREAD"),
        referenceOrderedSubject(messages),
      );
    });

    it("THREAD over a subset (missing roots become dummies), and the corpus's known threads stay whole", async () => {
      // Without every tenth message (the corpus's thread roots) the replies hang under dummy parents.
      const subset = messages.filter((m) => (m.seq - 1) % 10 !== 0 || m.seq > CORPUS_SIZE);
      const search = "NOT OR OR OR 1 11 21 OR 31 41";
      const kept = messages.filter((m) => ![1, 11, 21, 31, 41].includes(m.seq));
      assert.equal(await untagged(`THREAD REFERENCES UTF-8 ${search}`, "THREAD"), referenceReferences(kept));
      assert.equal(
        await untagged(`THREAD ORDEREDSUBJECT UTF-8 ${search}`, "THREAD"),
        referenceOrderedSubject(kept),
      );
      assert.ok(subset.length > 0);
      const whole = await untagged("THREAD REFERENCES UTF-8 ALL", "THREAD");
      // Known threads: corpus message i replies to i - i % 10, so seqs 10k+1 … 10k+10 share one thread.
      const threadOf = new Map<number, number>();
      let depth = 0;
      let top = 0;
      for (const token of whole.match(/\(|\)|\d+/g) ?? []) {
        if (token === "(") {
          if (depth++ === 0) top++;
        } else if (token === ")") depth--;
        else threadOf.set(Number(token), top);
      }
      for (let seq = 1; seq <= CORPUS_SIZE; seq++)
        assert.equal(threadOf.get(seq), threadOf.get(seq - ((seq - 1) % 10)), `message ${seq}`);
    });

    it("UID THREAD answers UIDs; ESORT answers ESEARCH in sort order", async () => {
      const uidThread = await untagged("UID THREAD ORDEREDSUBJECT UTF-8 ALL", "THREAD");
      const bySeq = referenceOrderedSubject(messages).replace(
        /\d+/g,
        (seq) => `${messages[Number(seq) - 1]?.uid}`,
      );
      assert.equal(uidThread, bySeq);
      const order = referenceSort(messages, [["DATE", true]]);
      const esearch = await untagged("SORT RETURN (MIN MAX COUNT) (REVERSE DATE) UTF-8 ALL", "ESEARCH");
      assert.equal(esearch, `(TAG "t") MIN ${order[0]} MAX ${order.at(-1)} COUNT ${order.length}`);
      const all = await untagged("SORT RETURN () (SUBJECT) UTF-8 1:5", "ESEARCH");
      const expected = referenceSort(messages.slice(0, 5), [["SUBJECT", false]]);
      const listed = (all.split(" ALL ")[1] ?? "").split(",").flatMap((part) => {
        const [from, to] = part.split(":").map(Number) as [number, number | undefined];
        return to === undefined ? [from] : Array.from({ length: to - from + 1 }, (_, i) => from + i);
      });
      assert.deepEqual(listed, expected);
    });

    it("SORT with a MODSEQ key reports the highest mod-sequence (RFC 7162 §3.1.5), an empty result none", async () => {
      const sorted = await untagged("SORT (REVERSE SUBJECT) UTF-8 MODSEQ 1 1:3", "SORT");
      const expected = referenceSort(messages.slice(0, 3), [["SUBJECT", true]]);
      assert.match(sorted, new RegExp(`^${expected.join(" ")} \\(MODSEQ \\d+\\)$`));
      assert.equal(await untagged("SORT (DATE) UTF-8 MODSEQ 999999", "SORT"), "");
      assert.equal(await untagged("THREAD REFERENCES UTF-8 MODSEQ 999999", "THREAD"), "");
    });

    it("refuses an unknown charset, sort key or algorithm", async () => {
      assert.match(await client.command("t", "SORT (DATE) X-UNKNOWN ALL"), /^t NO \[BADCHARSET/m);
      assert.match(await client.command("t", "SORT (COLOR) UTF-8 ALL"), /^t BAD/m);
      assert.match(await client.command("t", "SORT () UTF-8 ALL"), /^t BAD/m);
      assert.match(await client.command("t", "SORT (DATE) ALL"), /^t (BAD|NO)/m);
      assert.match(await client.command("t", "THREAD REFS UTF-8 ALL"), /^t BAD/m);
    });

    it("imaplib's sort() and thread() agree", async () => {
      const script = `
import imaplib, json, sys
req = json.load(sys.stdin)
m = imaplib.IMAP4("127.0.0.1", req["port"])
m.login(req["user"], req["password"])
m.select("INBOX")
out = {"sort": m.sort("(REVERSE ARRIVAL SUBJECT)", "UTF-8", "ALL")[1][0].decode(),
       "thread": m.thread("REFERENCES", "UTF-8", "ALL")[1][0].decode(),
       "caps": m.capability()[1][0].decode().split()}
m.logout()
print(json.dumps(out))
`;
      const output = await new Promise<string>((resolve, reject) => {
        const child = execFile("python3", ["-c", script], { timeout: 20_000 }, (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
        );
        child.stdin?.end(JSON.stringify({ port: server.port("imap"), user: USER, password: TEST_PASSWORD }));
      });
      const result = JSON.parse(output) as { sort: string; thread: string; caps: string[] };
      assert.deepEqual(
        numbers(result.sort),
        referenceSort(messages, [
          ["ARRIVAL", true],
          ["SUBJECT", false],
        ]),
      );
      assert.equal(result.thread, referenceReferences(messages));
      for (const cap of ["SORT", "SORT=DISPLAY", "THREAD=REFERENCES", "THREAD=ORDEREDSUBJECT", "ESORT"])
        assert.ok(result.caps.includes(cap), cap);
    });
  });
}

describeSortAndThread("sqlite");
await describeWithPostgres(() => describeSortAndThread("postgres"));

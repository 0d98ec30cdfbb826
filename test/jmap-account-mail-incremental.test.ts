// The JMAP view of an account is updated from what changed rather than rebuilt (account-mail-update.ts),
// and Email/query results are kept or patched across changes. A differential test: after each IMAP change
// (STORE, EXPUNGE, MOVE, COPY, APPEND, a mailbox rename) the server that has been answering all along, its
// maps and query results cached, must answer exactly what a second server started fresh on the same data
// answers (no cache: every map built from the store).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import { MAX_QUERY_RESULTS } from "../src/jmap/account-mail.js";
import type { RunningServer } from "../src/main.js";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { CORE, type Invocation, JmapTestClient, MAIL } from "./helpers/jmap-client.js";
import {
  startHttpOnlyServer,
  startTestServer,
  TEST_PASSWORD,
  type TestServer,
} from "./helpers/test-server.js";

const ALICE = "alice@example.test";
type Obj = Record<string, unknown>;

/**
 * Queries that exercise each way a cached result moves on: kept, patched, collapsed, re-run. The server
 * keeps the last MAX_QUERY_RESULTS results: the first two are evaluated again after each change (a sort
 * by stored keys is never patched anyway), the last eight are carried and kept or patched.
 */
const QUERIES: Obj[] = [
  { sort: [{ property: "subject", isAscending: true }] },
  { filter: { inMailbox: "INBOX" }, sort: [{ property: "receivedAt", isAscending: true }] },
  {},
  {
    filter: { inMailbox: "INBOX" },
    sort: [{ property: "receivedAt", isAscending: false }],
    collapseThreads: true,
  },
  { filter: { notKeyword: "$seen" }, sort: [{ property: "receivedAt", isAscending: false }] },
  { filter: { hasKeyword: "$flagged" }, collapseThreads: true },
  { filter: { hasKeyword: "$flagged" } },
  { filter: { someInThreadHaveKeyword: "$flagged" }, sort: [{ property: "size", isAscending: true }] },
  { filter: { text: "budget" }, sort: [{ property: "receivedAt", isAscending: false }] },
  { filter: { inMailbox: "Archive" }, collapseThreads: true },
];

/** Windows as the webmail asks for its list: one mailbox, newest first, by position and limit. */
const WINDOWS: Obj[] = [
  { filter: { inMailbox: "INBOX" }, position: 0, limit: 3, collapseThreads: true },
  { filter: { inMailbox: "INBOX" }, position: 2, limit: 3, collapseThreads: true },
  { filter: { inMailbox: "INBOX" }, position: 0, limit: 5, collapseThreads: false },
  {
    filter: { inMailbox: "INBOX" },
    sort: [{ property: "receivedAt", isAscending: false }],
    position: 4,
    limit: 40,
  },
  { filter: { inMailbox: "Archive" }, position: 0, limit: 2, collapseThreads: true },
  { filter: { inMailbox: "INBOX" }, position: 90, limit: 5, collapseThreads: true },
];

function message(n: number): string {
  const thread = n % 4;
  const isReply = n >= 4;
  return [
    "From: Carol <carol@example.test>",
    "To: alice@example.test",
    `Subject: ${isReply ? "Re: " : ""}topic ${thread}`,
    `Message-ID: <m${n}@example.test>`,
    ...(isReply ? [`In-Reply-To: <m${thread}@example.test>`, `References: <m${thread}@example.test>`] : []),
    `Date: Mon, 2 Nov 2026 10:${String(n).padStart(2, "0")}:00 +0000`,
    "",
    n % 3 === 0 ? "About the budget for next year." : `Plain message number ${n}.`,
    "",
  ].join("\r\n");
}

describe("JMAP answers after IMAP changes equal a fresh server's", () => {
  let server: TestServer;
  let imap: ImapFlow;
  const ids = new Map<string, string>();

  /** Every answer the comparison looks at, with mailbox names resolved to this server's ids. */
  async function snapshot(url: string): Promise<unknown[]> {
    const client = new JmapTestClient(url, ALICE, TEST_PASSWORD);
    const accountId = await client.accountId();
    const [[, boxes]] = (await client.call([["Mailbox/get", { accountId }, "b"]])) as [Invocation];
    const list = (boxes.list as Obj[]).sort((a, b) => String(a.id).localeCompare(String(b.id)));
    for (const box of list) ids.set(box.name as string, box.id as string);
    const resolve = (value: unknown): unknown =>
      JSON.parse(JSON.stringify(value), (key, v) => (key === "inMailbox" ? (ids.get(v) ?? v) : v));
    // The webmail's first windows, asked right after Mailbox/get: a fresh server answers them from the
    // store (account-mail-cold.ts) while its maps are not built, the cached one from its maps.
    const windows: unknown[] = [];
    for (const [i, window] of WINDOWS.entries()) {
      const answers = await client.call(
        [
          ["Email/query", { accountId, ...(resolve(window) as Obj), calculateTotal: true }, "w"],
          [
            "Email/get",
            {
              accountId,
              "#ids": { resultOf: "w", name: "Email/query", path: "/ids" },
              properties: ["id", "threadId", "mailboxIds", "keywords", "receivedAt", "subject"],
            },
            "g",
          ],
          [
            "Thread/get",
            { accountId, "#ids": { resultOf: "g", name: "Email/get", path: "/list/*/threadId" } },
            "t",
          ],
        ],
        [CORE, MAIL],
      );
      windows.push([
        i,
        ...answers.map(([name, args]) => [name, args.ids ?? args.list, args.total, args.position]),
      ]);
    }
    const calls: Invocation[] = QUERIES.map((q, i) => [
      "Email/query",
      { accountId, ...(resolve(q) as Obj), calculateTotal: true },
      `q${i}`,
    ]);
    calls.push([
      "Email/get",
      {
        accountId,
        ids: null,
        properties: ["id", "threadId", "mailboxIds", "keywords", "receivedAt", "size", "subject"],
      },
      "g",
    ]);
    const answers = await client.call(calls, [CORE, MAIL]);
    const emails = ((answers.at(-1) as Invocation)[1].list as Obj[]).sort((a, b) =>
      String(a.id).localeCompare(String(b.id)),
    );
    const threadIds = [...new Set(emails.map((e) => e.threadId as string))].sort();
    const [[, threads]] = (await client.call([["Thread/get", { accountId, ids: threadIds }, "t"]])) as [
      Invocation,
    ];
    return [
      list,
      windows,
      ...answers.slice(0, -1).map(([name, args]) => [name, args.ids, args.total, args.queryState]),
      emails,
      threads.list,
    ];
  }

  /** The cached server's answers (asked twice: a build and a hit) against a fresh server's. */
  async function assertSameAsFresh(): Promise<void> {
    const cachedUrl = `http://127.0.0.1:${server.port("http")}`;
    const cached = await snapshot(cachedUrl);
    assert.deepEqual(await snapshot(cachedUrl), cached);
    const fresh: RunningServer = await startHttpOnlyServer(server.dataDir);
    try {
      const port = fresh.listeners.find((l) => l.proto === "http")?.port;
      assert.deepEqual(cached, await snapshot(`http://127.0.0.1:${port}`));
    } finally {
      await fresh.stop();
    }
  }

  before(async () => {
    assert.equal(QUERIES.length - 2, MAX_QUERY_RESULTS, "the last eight queries are the ones carried");
    server = await startTestServer();
    await server.addUser(ALICE);
    imap = imapFlowClient(server.port("imap"), ALICE);
    await imap.connect();
    await imap.mailboxCreate("Archive");
    for (let n = 0; n < 16; n++) {
      const flags = n % 7 === 0 ? ["\\Seen", "\\Flagged"] : n % 2 === 0 ? ["\\Seen"] : [];
      await imap.append(
        n % 6 === 5 ? "Archive" : "INBOX",
        message(n),
        flags,
        new Date(Date.UTC(2026, 10, 2, 10, n)),
      );
    }
    await imap.mailboxOpen("INBOX");
    // The cached server has built its maps and every query's result before the first change.
    await snapshot(`http://127.0.0.1:${server.port("http")}`);
  });
  after(async () => {
    await imap.logout().catch(() => {});
    await server.stop();
  });

  it("starts equal", assertSameAsFresh);

  it("after STORE of a flag (a keyword-only change)", async () => {
    await imap.messageFlagsAdd("1:3", ["\\Flagged"]);
    await assertSameAsFresh();
    await imap.messageFlagsRemove("1", ["\\Seen"]);
    await assertSameAsFresh();
  });

  it("after EXPUNGE", async () => {
    await imap.messageDelete("4");
    await assertSameAsFresh();
  });

  it("after MOVE and COPY between mailboxes", async () => {
    await imap.messageMove("1", "Archive");
    await assertSameAsFresh();
    await imap.messageCopy("2:3", "Archive");
    await assertSameAsFresh();
  });

  it("after APPEND (a new thread and a reply to an old one)", async () => {
    await imap.append("INBOX", message(20), [], new Date(Date.UTC(2026, 10, 1)));
    await imap.append("Archive", message(21), ["\\Flagged"], new Date(Date.UTC(2026, 10, 3)));
    await assertSameAsFresh();
  });

  it("after several changes between two queries, and a mailbox rename", async () => {
    await imap.messageFlagsAdd("1:*", ["$label1"]);
    await imap.messageDelete("1");
    await imap.mailboxRename("Archive", "Old");
    await imap.append("Old", message(22), ["\\Seen"], new Date(Date.UTC(2026, 10, 4)));
    await assertSameAsFresh();
  });

  // The first windows of a fresh server read INBOX's newest entries: 60 of one thread make it read further
  // to find three threads.
  it("after a long thread arrives", async () => {
    for (let n = 0; n < 60; n++) {
      await imap.append(
        "INBOX",
        message(4 + 4 * n).replace(`<m${4 + 4 * n}@example.test>`, `<long${n}@example.test>`),
        n % 2 === 0 ? ["\\Seen"] : [],
        new Date(Date.UTC(2026, 10, 10, 10, n)),
      );
    }
    await assertSameAsFresh();
  });

  // A fresh server counts Mailbox/get's emails and threads in its one walk over the entries, the cached one
  // counts a changed mailbox by sets of ids: copies of one email in one mailbox count once, as unread once.
  it("after COPY into the same mailbox, one copy unread, one a draft", async () => {
    await imap.messageCopy("1:2", "INBOX");
    await assertSameAsFresh();
    await imap.messageFlagsRemove("*", ["\\Seen"]);
    await imap.messageFlagsAdd("*", ["\\Draft"]);
    await imap.messageFlagsRemove("1", ["\\Seen"]);
    await assertSameAsFresh();
  });
});

// Email/query evaluated per Email rather than per IMAP copy (RFC 8621 §4.4), and Email/queryChanges and
// Mailbox/queryChanges (RFC 8620 §5.6) over real HTTP: after IMAP changes of every kind, an old result list
// with `removed` taken out and `added` spliced in must equal a fresh query's.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { JmapTestClient } from "./helpers/jmap-client.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

type Obj = Record<string, unknown>;

let counter = 0;
const message = (subject: string, options: { inReplyTo?: string; day?: number } = {}) => {
  counter++;
  const id = `q${counter}.${process.pid}@example.test`;
  const raw = [
    "From: Carol <carol@example.test>",
    "To: Alice <alice@example.test>",
    `Subject: ${subject}`,
    `Message-ID: <${id}>`,
    ...(options.inReplyTo
      ? [`In-Reply-To: <${options.inReplyTo}>`, `References: <${options.inReplyTo}>`]
      : []),
    "",
    `Body ${counter} of ${subject}.`,
    "",
  ].join("\r\n");
  return { raw, id, date: new Date(Date.UTC(2026, 0, options.day ?? counter)) };
};

/** RFC 8620 §5.6: remove every removed id, then insert the added ones in index order. */
function applyQueryChanges(old: readonly string[], changes: Obj): string[] {
  const removed = new Set(changes.removed as string[]);
  const ids = old.filter((id) => !removed.has(id));
  for (const { id, index } of changes.added as { id: string; index: number }[]) ids.splice(index, 0, id);
  return ids;
}

describe("JMAP Email/query per Email, and /queryChanges", () => {
  let server: TestServer;
  let users = 0;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.stop();
  });

  const newUser = async () => {
    const address = `query${++users}@example.test`;
    await server.addUser(address);
    const jmap = new JmapTestClient(`http://127.0.0.1:${server.port("http")}`, address, TEST_PASSWORD);
    const imap: ImapFlow = imapFlowClient(server.port("imap"), address);
    await imap.connect();
    const accountId = await jmap.accountId();
    const append = async (mailbox: string, m: { raw: string; date: Date }, flags: string[] = []) => {
      const appended = await imap.append(mailbox, m.raw, flags, m.date);
      await imap.mailboxOpen(mailbox);
      const fetched = await imap.fetchOne(
        String(appended ? appended.uid : 0),
        { emailId: true },
        { uid: true },
      );
      return (fetched as { emailId: string }).emailId;
    };
    const mailboxId = async (name: string) => {
      const get = await jmap.one("Mailbox/get", { accountId, properties: ["name"] });
      return ((get.list as Obj[]).find((m) => m.name === name) as Obj).id as string;
    };
    const query = async (args: Obj) => jmap.one("Email/query", { accountId, ...args });
    return { jmap, imap, accountId, append, mailboxId, query };
  };

  it("evaluates mailbox and keyword conditions per Email, over all its copies", async () => {
    const { imap, append, mailboxId, query } = await newUser();
    await imap.mailboxCreate("A");
    await imap.mailboxCreate("B");
    const both = await append("A", message("in both"), ["\\Seen"]);
    await imap.mailboxOpen("A");
    await imap.messageCopy({ emailId: both }, "B");
    await imap.mailboxOpen("B");
    await imap.messageFlagsRemove({ emailId: both }, ["\\Seen"]);
    const onlyA = await append("A", message("only in A"));
    const [a, b] = [await mailboxId("A"), await mailboxId("B")];

    const ids = async (filter: Obj) => (await query({ filter })).ids as string[];
    assert.deepEqual(await ids({ operator: "AND", conditions: [{ inMailbox: a }, { inMailbox: b }] }), [
      both,
    ]);
    assert.deepEqual(await ids({ inMailbox: a, inMailboxOtherThan: [a] }), [both], "in A and in another");
    assert.deepEqual(
      await ids({ operator: "NOT", conditions: [{ inMailbox: b }] }),
      [onlyA],
      "NOT inMailbox B: the email with a copy in B is out, not its copy in A in",
    );
    // Keywords are the union of the copies' (docs/jmap.md): the email is $seen, though its copy in B is not.
    assert.deepEqual(await ids({ hasKeyword: "$seen" }), [both]);
    assert.deepEqual(await ids({ notKeyword: "$seen" }), [onlyA]);
    assert.deepEqual(await ids({ inMailbox: b, notKeyword: "$seen" }), []);
    assert.deepEqual(
      await ids({ operator: "AND", conditions: [{ inMailbox: a }, { inMailbox: b }, { text: "both" }] }),
      [both],
    );
    assert.deepEqual(await ids({ operator: "AND", conditions: [{ inMailbox: a }, { text: "only" }] }), [
      onlyA,
    ]);
    const all = await query({ filter: { inMailbox: a }, calculateTotal: true });
    assert.equal(all.total, 2, "one Email per message, however many copies");
    await imap.logout();
  });

  it("collapses threads after filtering and sorting per Email", async () => {
    const { imap, append, mailboxId, query } = await newUser();
    await imap.mailboxCreate("Work");
    const start = message("Plan", { day: 1 });
    const first = await append("INBOX", start);
    const reply = await append("Work", message("Re: Plan", { inReplyTo: start.id, day: 3 }));
    const other = await append("INBOX", message("Other", { day: 2 }));
    const inbox = await mailboxId("INBOX");
    const collapsed = await query({ collapseThreads: true, calculateTotal: true });
    assert.deepEqual(collapsed.ids, [reply, other], "the newest of each thread");
    assert.equal(collapsed.total, 2);
    const inInbox = await query({ filter: { inMailbox: inbox }, collapseThreads: true });
    assert.deepEqual(inInbox.ids, [other, first], "the thread's newest email in INBOX stands for it there");
    const oldest = await query({
      sort: [{ property: "receivedAt", isAscending: true }],
      collapseThreads: true,
    });
    assert.deepEqual(oldest.ids, [first, other]);
    await imap.logout();
  });

  it("Email/queryChanges: removed and added turn the old results into the new, after every kind of change", async () => {
    const { imap, append, mailboxId, query, jmap, accountId } = await newUser();
    await imap.mailboxCreate("Archive");
    const seed = message("Thread seed");
    const seedId = await append("INBOX", seed);
    for (let i = 0; i < 4; i++) await append("INBOX", message(`Seed ${i}`));
    const inbox = await mailboxId("INBOX");
    const queries: Obj[] = [
      { filter: { inMailbox: inbox } },
      { filter: { inMailbox: inbox }, collapseThreads: true },
      { filter: { notKeyword: "$seen" }, sort: [{ property: "subject" }] },
      { filter: { operator: "OR", conditions: [{ hasKeyword: "$flagged" }, { text: "seed" }] } },
      { collapseThreads: true, sort: [{ property: "receivedAt", isAscending: true }] },
    ];
    const steps: [string, () => Promise<unknown>][] = [
      ["append", () => append("INBOX", message("New one"))],
      [
        "reply joins a thread",
        () => append("INBOX", message("Re: Thread seed", { inReplyTo: seed.id, day: 40 })),
      ],
      [
        "flag",
        async () => {
          await imap.mailboxOpen("INBOX");
          await imap.messageFlagsAdd("1:2", ["\\Seen", "\\Flagged"]);
        },
      ],
      [
        "move",
        async () => {
          await imap.mailboxOpen("INBOX");
          await imap.messageMove({ emailId: seedId }, "Archive");
        },
      ],
      [
        "expunge",
        async () => {
          await imap.mailboxOpen("INBOX");
          await imap.messageDelete("1");
        },
      ],
      ["append and flag", () => append("Archive", message("Archived"), ["\\Flagged"])],
    ];
    for (const [name, step] of steps) {
      const before = await Promise.all(queries.map((q) => query(q)));
      await step();
      for (const [i, q] of queries.entries()) {
        const old = before[i] as Obj;
        const changes = await jmap.one("Email/queryChanges", {
          accountId,
          ...q,
          sinceQueryState: old.queryState,
          calculateTotal: true,
        });
        const now = await query(q);
        assert.deepEqual(
          applyQueryChanges(old.ids as string[], changes),
          now.ids,
          `${name}: query ${JSON.stringify(q)}`,
        );
        assert.equal(changes.total, (now.ids as string[]).length);
        assert.equal(changes.oldQueryState, old.queryState);
        assert.equal(changes.newQueryState, now.queryState);
      }
    }
    await imap.logout();
  });

  it("Email/queryChanges: new mail is only added, upToId, maxChanges and bad arguments", async () => {
    const { append, query, jmap, accountId, imap } = await newUser();
    for (let i = 0; i < 3; i++) await append("INBOX", message(`Immutable ${i}`, { day: 10 + i }));
    const q = { filter: { text: "Immutable" } };
    const old = await query(q);
    const newest = await append("INBOX", message("Immutable newest", { day: 30 }));
    const oldest = await append("INBOX", message("Immutable oldest", { day: 1 }));
    const all = await jmap.one("Email/queryChanges", { accountId, ...q, sinceQueryState: old.queryState });
    assert.deepEqual(all.removed, [], "created since the state: never in the old results");
    assert.deepEqual(all.added, [
      { id: newest, index: 0 },
      { id: oldest, index: 4 },
    ]);
    const upTo = (old.ids as string[])[0];
    const cached = await jmap.one("Email/queryChanges", {
      accountId,
      ...q,
      sinceQueryState: old.queryState,
      upToId: upTo,
    });
    assert.deepEqual(cached.added, [{ id: newest, index: 0 }], "nothing past upToId for an immutable query");
    const responses = await jmap.call([
      ["Email/queryChanges", { accountId, ...q, sinceQueryState: old.queryState, maxChanges: 1 }, "a"],
      ["Email/queryChanges", { accountId, sinceQueryState: "nonsense" }, "b"],
      ["Email/queryChanges", { accountId }, "c"],
      ["Email/queryChanges", { accountId, sinceQueryState: old.queryState, position: 3 }, "d"],
      ["Email/queryChanges", { accountId, sinceQueryState: old.queryState, filter: { bogus: 1 } }, "e"],
      ["Email/queryChanges", { accountId, sinceQueryState: old.queryState, sort: [{ property: "x" }] }, "f"],
      ["Mailbox/queryChanges", { accountId, sinceQueryState: "s99999999" }, "g"],
      ["Email/queryChanges", { accountId: "Anobody", sinceQueryState: old.queryState }, "h"],
    ]);
    assert.deepEqual(
      responses.map((r) => r[1].type),
      [
        "tooManyChanges",
        "cannotCalculateChanges",
        "invalidArguments",
        "invalidArguments",
        "unsupportedFilter",
        "unsupportedSort",
        "cannotCalculateChanges",
        "accountNotFound",
      ],
    );
    const state = await query({});
    assert.equal(
      (await jmap.one("Email/query", { accountId })).canCalculateChanges,
      true,
      "Email/query says it can",
    );
    const none = await jmap.one("Email/queryChanges", { accountId, sinceQueryState: state.queryState });
    assert.deepEqual([none.removed, none.added], [[], []]);
    await imap.logout();
  });

  it("Mailbox/queryChanges follows creations, renames, subscriptions and deletions", async () => {
    const { imap, jmap, accountId } = await newUser();
    await imap.mailboxCreate("Alpha");
    await imap.mailboxCreate("Alpha/Child");
    const queries: Obj[] = [
      {},
      { filter: { parentId: null } },
      { sort: [{ property: "name", isAscending: false }] },
    ];
    const mq = (q: Obj) => jmap.one("Mailbox/query", { accountId, ...q });
    const steps: [string, () => Promise<unknown>][] = [
      ["create", () => imap.mailboxCreate("Beta")],
      ["rename", () => imap.mailboxRename("Beta", "Aardvark")],
      ["unsubscribe", () => imap.mailboxUnsubscribe("Aardvark")],
      ["delete child", () => imap.mailboxDelete("Alpha/Child")],
      ["delete", () => imap.mailboxDelete("Alpha")],
    ];
    for (const [name, step] of steps) {
      const before = await Promise.all(queries.map(mq));
      await step();
      for (const [i, q] of queries.entries()) {
        const old = before[i] as Obj;
        const changes = await jmap.one("Mailbox/queryChanges", {
          accountId,
          ...q,
          sinceQueryState: old.queryState,
        });
        assert.deepEqual(
          applyQueryChanges(old.ids as string[], changes),
          (await mq(q)).ids,
          `${name}: ${JSON.stringify(q)}`,
        );
      }
    }
    assert.equal((await mq({})).canCalculateChanges, true);
    await imap.logout();
  });
});

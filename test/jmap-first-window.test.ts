// The first calls after a server start are answered from the store (src/jmap/account-mail-cold.ts) while
// the account's JMAP maps are not built; the same calls after the maps are built must give the very same
// answers — counts, order, collapse, copies, threads — on both backends. Mail comes over IMAP: threads
// across mailboxes, copies of one message in one mailbox and in another, read, unread and draft messages.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import { describeWithPostgres } from "../src/store/postgres/postgres-test-harness.js";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { CORE, type Invocation, JmapTestClient, MAIL } from "./helpers/jmap-client.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";
type Obj = Record<string, unknown>;

function message(n: number): string {
  const thread = n % 5;
  const isReply = n >= 5;
  return [
    "From: Carol <carol@example.test>",
    "To: alice@example.test",
    `Subject: ${isReply ? "Re: " : ""}topic ${thread}`,
    `Message-ID: <fw${n}@example.test>`,
    ...(isReply ? [`In-Reply-To: <fw${thread}@example.test>`, `References: <fw${thread}@example.test>`] : []),
    "",
    `Message ${n}.`,
    "",
  ].join("\r\n");
}

/** The webmail's first calls: Mailbox/get, then windows of a mailbox with their Emails and Threads. */
async function firstCalls(client: JmapTestClient): Promise<unknown[]> {
  const accountId = await client.accountId();
  const [[, boxes]] = (await client.call([["Mailbox/get", { accountId, ids: null }, "m"]])) as [Invocation];
  const list = boxes.list as Obj[];
  const idOf = (name: string) => list.find((m) => m.name === name)?.id;
  const answers: unknown[] = [boxes.state, list];
  const windows: Obj[] = [
    { filter: { inMailbox: idOf("INBOX") }, position: 0, limit: 4, collapseThreads: true },
    { filter: { inMailbox: idOf("INBOX") }, position: 3, limit: 4, collapseThreads: true },
    { filter: { inMailbox: idOf("INBOX") }, position: 0, limit: 30, collapseThreads: false },
    {
      filter: { inMailbox: idOf("Archive") },
      sort: [{ property: "receivedAt", isAscending: false }],
      limit: 3,
    },
    { filter: { inMailbox: idOf("INBOX") }, position: 200, limit: 10, collapseThreads: true },
  ];
  for (const window of windows) {
    const responses = await client.call(
      [
        ["Email/query", { accountId, ...window, calculateTotal: true }, "q"],
        [
          "Email/get",
          {
            accountId,
            "#ids": { resultOf: "q", name: "Email/query", path: "/ids" },
            properties: ["id", "threadId", "mailboxIds", "keywords", "receivedAt", "subject", "preview"],
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
    answers.push(responses);
  }
  return answers;
}

function describeFirstWindow(store: "sqlite" | "postgres"): void {
  describe(`JMAP: the first calls after a start, answered by the store, equal the maps' answers (${store})`, () => {
    let server: TestServer;
    let imap: ImapFlow;

    before(async () => {
      server = await startTestServer(undefined, { store });
      await server.addUser(ALICE);
      imap = imapFlowClient(server.port("imap"), ALICE);
      await imap.connect();
      await imap.mailboxCreate("Archive");
      for (let n = 0; n < 24; n++) {
        const flags = n % 4 === 0 ? ["\\Seen"] : n % 7 === 0 ? ["\\Draft"] : [];
        await imap.append(
          n % 6 === 5 ? "Archive" : "INBOX",
          message(n),
          flags,
          new Date(Date.UTC(2026, 10, 2, 9, n)),
        );
      }
      await imap.mailboxOpen("INBOX");
      await imap.messageCopy("1:3", "Archive");
      await imap.messageCopy("4:5", "INBOX");
      await imap.messageFlagsRemove("*", ["\\Seen"]);
    });
    after(async () => {
      await imap.logout().catch(() => {});
      await server.stop();
    });

    it("answers the webmail's first calls as the built maps answer them", async () => {
      const client = new JmapTestClient(`http://127.0.0.1:${server.port("http")}`, ALICE, TEST_PASSWORD);
      // Nothing has asked for the maps since the start: the store answers.
      const cold = await firstCalls(client);
      // Email/get of every Email needs the maps: they are built now.
      const accountId = await client.accountId();
      await client.call([["Email/get", { accountId, ids: null, properties: ["id"] }, "all"]]);
      assert.deepEqual(await firstCalls(client), cold);
    });
  });
}

describeFirstWindow("sqlite");
await describeWithPostgres(() => describeFirstWindow("postgres"));

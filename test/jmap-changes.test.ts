// JMAP /changes over real HTTP (RFC 8620 §5.2, RFC 8621 §2.2, §3.2, §4.3), on both stores: created,
// updated and destroyed told apart from the store's creation modseqs, objects created and destroyed since
// the state left out, maxChanges answered with pages through intermediate states, Mailbox/changes naming
// the count properties when only counts moved, and Thread/changes following its emails.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import { describeWithPostgres } from "../src/store/postgres/postgres-test-harness.js";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { JmapTestClient } from "./helpers/jmap-client.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

type Obj = Record<string, unknown>;

let counter = 0;
const message = (options: { subject?: string; inReplyTo?: string } = {}): { raw: string; id: string } => {
  counter++;
  const id = `c${counter}.${process.pid}@example.test`;
  const raw = [
    "From: Carol <carol@example.test>",
    "To: Alice <alice@example.test>",
    `Subject: ${options.subject ?? `changes ${counter}`}`,
    `Message-ID: <${id}>`,
    ...(options.inReplyTo
      ? [`In-Reply-To: <${options.inReplyTo}>`, `References: <${options.inReplyTo}>`]
      : []),
    "",
    `Body ${counter}.`,
    "",
  ].join("\r\n");
  return { raw, id };
};

const sorted = (value: unknown): string[] => [...(value as string[])].sort();

function describeChanges(backend: "sqlite" | "postgres"): void {
  describe(`JMAP /changes (${backend} store)`, () => {
    let server: TestServer;
    let users = 0;

    before(async () => {
      server = await startTestServer((c) => c, { store: backend });
    });
    after(async () => {
      await server.stop();
    });

    /** A fresh user with a JMAP client and a logged-in IMAP client. */
    const newUser = async () => {
      const address = `changes${++users}@example.test`;
      await server.addUser(address);
      const jmap = new JmapTestClient(`http://127.0.0.1:${server.port("http")}`, address, TEST_PASSWORD);
      const imap: ImapFlow = imapFlowClient(server.port("imap"), address);
      await imap.connect();
      const accountId = await jmap.accountId();
      const state = async () =>
        (await jmap.one("Email/get", { accountId, ids: [], properties: ["id"] })).state as string;
      /** Appends over IMAP and returns the new Email id. */
      const append = async (raw: string, mailbox = "INBOX"): Promise<string> => {
        const appended = await imap.append(mailbox, raw);
        await imap.mailboxOpen(mailbox);
        const fetched = await imap.fetchOne(
          String(appended ? appended.uid : 0),
          { emailId: true },
          { uid: true },
        );
        return (fetched as { emailId: string }).emailId;
      };
      const changes = (type: string, sinceState: string, maxChanges?: number) =>
        jmap.one(`${type}/changes`, { accountId, sinceState, ...(maxChanges ? { maxChanges } : {}) });
      return { jmap, imap, accountId, state, append, changes };
    };

    it("tells created, updated and destroyed apart, and leaves out what came and went", async () => {
      const { imap, state, append, changes } = await newUser();
      const s0 = await state();
      const a = await append(message().raw);
      const b = await append(message().raw);
      const s1 = await state();
      let answer = await changes("Email", s0);
      assert.deepEqual(sorted(answer.created), [a, b].sort());
      assert.deepEqual([answer.updated, answer.destroyed, answer.hasMoreChanges], [[], [], false]);
      assert.equal(answer.newState, s1);

      await imap.mailboxOpen("INBOX");
      await imap.messageFlagsAdd({ emailId: a }, ["\\Flagged"]);
      answer = await changes("Email", s0);
      assert.deepEqual(sorted(answer.created), [a, b].sort(), "created then updated: created only");
      assert.deepEqual(answer.updated, []);
      answer = await changes("Email", s1);
      assert.deepEqual([answer.created, answer.updated, answer.destroyed], [[], [a], []]);

      await imap.messageDelete({ emailId: b });
      answer = await changes("Email", s0);
      assert.deepEqual([answer.created, answer.updated, answer.destroyed], [[a], [], []], "b came and went");
      answer = await changes("Email", s1);
      assert.deepEqual([answer.created, answer.updated, answer.destroyed], [[], [a], [b]]);
      await imap.logout();
    });

    it("pages with maxChanges through intermediate states until hasMoreChanges is false", async () => {
      const { imap, state, append, changes, jmap, accountId } = await newUser();
      const s0 = await state();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await append(message().raw));
      const end = await state();
      for (const type of ["Email", "Thread"]) {
        const seen: string[] = [];
        let since = s0;
        let pages = 0;
        for (;;) {
          const page = await changes(type, since, 2);
          const count = (page.created as string[]).length + (page.updated as string[]).length;
          assert.ok(count <= 2, `${type}: at most maxChanges ids in a page`);
          assert.ok(count > 0, `${type}: every page moves on`);
          seen.push(...(page.created as string[]));
          since = page.newState as string;
          pages++;
          if (!page.hasMoreChanges) break;
          assert.notEqual(since, end, "an intermediate state");
        }
        assert.equal(since, end);
        assert.equal(pages, 3);
        assert.equal(new Set(seen).size, 5, `${type}: every id once`);
      }
      const emails = await jmap.one("Email/get", { accountId, ids, properties: ["threadId"] });
      assert.equal((emails.list as Obj[]).length, 5);

      // One IMAP COPY of three messages is one modseq: it cannot be split across pages.
      await imap.mailboxCreate("Copies");
      const beforeCopy = await state();
      await imap.mailboxOpen("INBOX");
      await imap.messageCopy("1:3", "Copies");
      const tooMany = await jmap.call([
        ["Email/changes", { accountId, sinceState: beforeCopy, maxChanges: 2 }, "x"],
      ]);
      assert.equal(tooMany[0]?.[0], "error");
      assert.equal(tooMany[0]?.[1].type, "cannotCalculateChanges");
      const all = await changes("Email", beforeCopy, 3);
      assert.equal((all.updated as string[]).length, 3);
      assert.equal(all.hasMoreChanges, false);
      await imap.logout();
    });

    it("Mailbox/changes: created, count-only updates with updatedProperties, renamed, destroyed", async () => {
      const { imap, jmap, accountId, state, append, changes } = await newUser();
      const boxes = await jmap.one("Mailbox/get", { accountId, properties: ["name"] });
      const inboxId = ((boxes.list as Obj[]).find((m) => m.name === "INBOX") as Obj).id as string;
      const s0 = await state();
      await imap.mailboxCreate("Fresh");
      const s1 = await state();
      const created = await changes("Mailbox", s0);
      assert.equal((created.created as string[]).length, 1);
      const freshId = (created.created as string[])[0] as string;
      assert.deepEqual([created.updated, created.destroyed, created.updatedProperties], [[], [], null]);

      await append(message().raw);
      const counts = await changes("Mailbox", s1);
      assert.deepEqual([counts.created, counts.updated, counts.destroyed], [[], [inboxId], []]);
      assert.deepEqual(counts.updatedProperties, [
        "totalEmails",
        "unreadEmails",
        "totalThreads",
        "unreadThreads",
      ]);
      const s2 = counts.newState as string;

      await imap.mailboxRename("Fresh", "Renamed");
      const renamed = await changes("Mailbox", s2);
      assert.deepEqual([renamed.updated, renamed.updatedProperties], [[freshId], null]);
      const mixed = await changes("Mailbox", s1);
      assert.deepEqual(sorted(mixed.updated), [inboxId, freshId].sort());
      assert.equal(mixed.updatedProperties, null, "a rename among the updates: any property may differ");

      await imap.mailboxDelete("Renamed");
      const gone = await changes("Mailbox", s1);
      assert.deepEqual([gone.created, gone.updated, gone.destroyed], [[], [inboxId], [freshId]]);
      const never = await changes("Mailbox", s0);
      assert.deepEqual([never.created, never.updated, never.destroyed], [[], [inboxId], []]);
      await imap.logout();
    });

    it("Thread/changes follows the thread's emails: created, updated by a reply, destroyed with them", async () => {
      const { imap, jmap, accountId, state, append, changes } = await newUser();
      const first = message({ subject: "Thread start" });
      const firstId = await append(first.raw);
      const get = await jmap.one("Email/get", { accountId, ids: [firstId], properties: ["threadId"] });
      const threadId = (get.list as Obj[])[0]?.threadId as string;
      const s0 = await state();
      const replyId = await append(message({ subject: "Re: Thread start", inReplyTo: first.id }).raw);
      const otherId = await append(message({ subject: "Another" }).raw);
      const other = await jmap.one("Email/get", { accountId, ids: [otherId], properties: ["threadId"] });
      const otherThread = (other.list as Obj[])[0]?.threadId as string;
      const after = await changes("Thread", s0);
      assert.deepEqual([after.created, after.updated, after.destroyed], [[otherThread], [threadId], []]);

      const s1 = await state();
      await imap.mailboxOpen("INBOX");
      await imap.messageDelete({ emailId: firstId });
      await imap.messageDelete({ emailId: replyId });
      const gone = await changes("Thread", s1);
      assert.deepEqual([gone.created, gone.updated, gone.destroyed], [[], [], [threadId]]);
      const both = await changes("Thread", s0);
      assert.deepEqual([both.created, both.updated, both.destroyed], [[otherThread], [], [threadId]]);
      await imap.logout();
    });

    it("answers bad /changes arguments with JMAP errors", async () => {
      const { jmap, accountId, state } = await newUser();
      const s = await state();
      const responses = await jmap.call([
        ["Thread/changes", { accountId, sinceState: "garbage" }, "a"],
        ["Email/changes", { accountId, sinceState: s, maxChanges: -1 }, "b"],
        ["Mailbox/changes", { accountId, sinceState: s, extra: 1 }, "c"],
        ["Thread/changes", { accountId: "Anope", sinceState: s }, "d"],
        ["Email/changes", { accountId, sinceState: "s99999999" }, "e"],
      ]);
      assert.deepEqual(
        responses.map((r) => [r[0], r[1].type]),
        [
          ["error", "cannotCalculateChanges"],
          ["error", "invalidArguments"],
          ["error", "invalidArguments"],
          ["error", "accountNotFound"],
          ["error", "cannotCalculateChanges"],
        ],
      );
    });
  });
}

describeChanges("sqlite");
await describeWithPostgres(() => describeChanges("postgres"));

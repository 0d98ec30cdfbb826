// Acceptance (issue 10): Postfach driven by a third-party JMAP client, jmap-jam, logged in with a bearer
// token from /jmap/token: list mailboxes, query and get emails with bodies, set keywords and mailboxIds,
// upload + import, search, Email/changes after IMAP modifications, send through EmailSubmission, and a
// push event after an LMTP delivery through jam's connectEventSource.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { EventSourceReader } from "./helpers/event-source-reader.js";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { JmapTestClient } from "./helpers/jmap-client.js";
import { createJamClient, type Jam } from "./helpers/jmap-jam.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";
const BOB = "bob@example.test";
type Obj = Record<string, unknown>;

const message = (subject: string, body: string) =>
  Buffer.from(
    `From: Carol <carol@example.test>\r\nTo: ${ALICE}\r\nSubject: ${subject}\r\nDate: Thu, 26 Nov 2026 10:00:00 +0000\r\n` +
      `Message-ID: <${subject.replaceAll(" ", "-")}@example.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`,
  );

/**
 * jam's connectEventSource calls `new EventSource(url)`; Node 20 has none, and a browser's cannot send
 * the bearer token. This stand-in opens the same URL with the token (as the webmail's fetch-based reader
 * does) and dispatches the server's named events to addEventListener.
 */
function installEventSource(token: string): { opened: Promise<void>; close(): void } {
  const readers: EventSourceReader[] = [];
  let isClosed = false;
  let markOpened: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    markOpened = resolve;
  });
  class TokenEventSource {
    readonly #listeners = new Map<string, ((event: { data: string }) => void)[]>();
    constructor(url: string | URL) {
      void EventSourceReader.open(String(url), `Bearer ${token}`).then(async (reader) => {
        readers.push(reader);
        markOpened();
        while (!isClosed) {
          const event = await reader.next().catch(() => null);
          if (event === null) continue;
          for (const listener of this.#listeners.get(event.event) ?? []) listener({ data: event.data });
        }
      });
    }
    addEventListener(type: string, listener: (event: { data: string }) => void): void {
      this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
    }
  }
  (globalThis as { EventSource?: unknown }).EventSource = TokenEventSource;
  return {
    opened,
    close() {
      isClosed = true;
      for (const reader of readers) reader.close();
      delete (globalThis as { EventSource?: unknown }).EventSource;
    },
  };
}

describe("JMAP acceptance with jmap-jam", () => {
  let server: TestServer;
  let jam: Jam;
  let token: string;
  let accountId: string;
  let imap: ImapFlow;
  const boxes = new Map<string, string>();

  before(async () => {
    server = await startTestServer();
    await server.addUser(ALICE);
    await server.addUser(BOB);
    const base = `http://127.0.0.1:${server.port("http")}`;
    const login = await new JmapTestClient(base, ALICE, TEST_PASSWORD).fetch("/jmap/token", {
      method: "POST",
    });
    token = ((await login.json()) as { access_token: string }).access_token;
    jam = await createJamClient({ sessionUrl: `${base}/.well-known/jmap`, bearerToken: token });
    accountId = await jam.getPrimaryAccount();
    imap = imapFlowClient(server.port("imap"), ALICE);
    await imap.connect();
    await imap.append("INBOX", message("quarterly report", "The numbers are up."), ["\\Seen"]);
    await imap.append("INBOX", message("lunch plans", "Pizza on Friday?"));
  });
  after(async () => {
    await imap.logout().catch(() => {});
    await server.stop();
  });

  it("lists mailboxes with roles and counts", async () => {
    const [mailboxes] = await jam.api.Mailbox.get({ accountId, ids: null });
    const list = mailboxes.list as Obj[];
    for (const box of list) boxes.set(box.name as string, box.id as string);
    const inbox = list.find((box) => box.role === "inbox");
    assert.equal(inbox?.name, "INBOX");
    assert.equal(inbox?.totalEmails, 2);
    assert.equal(inbox?.unreadEmails, 1);
    assert.ok(list.some((box) => box.role === "drafts"));
    assert.ok(list.some((box) => box.role === "sent"));
  });

  it("queries and gets emails with bodies in one request (result reference)", async () => {
    const [{ emails, ids }] = await jam.requestMany((t) => {
      const ids = t.Email.query({
        accountId,
        filter: { inMailbox: boxes.get("INBOX") as string },
        sort: [{ property: "subject", isAscending: true }],
        calculateTotal: true,
      });
      const emails = t.Email.get({
        accountId,
        ids: ids.$ref("/ids"),
        properties: ["subject", "from", "keywords", "textBody", "bodyValues", "preview"],
        fetchTextBodyValues: true,
      });
      return { ids, emails };
    });
    assert.equal(ids.total, 2);
    const list = emails.list as Obj[];
    assert.deepEqual(
      list.map((e) => e.subject),
      ["lunch plans", "quarterly report"],
    );
    const report = list[1] as Obj;
    assert.deepEqual(report.from, [{ name: "Carol", email: "carol@example.test" }]);
    assert.deepEqual(report.keywords, { $seen: true });
    const partId = ((report.textBody as Obj[])[0] as Obj).partId as string;
    assert.equal((report.bodyValues as Record<string, Obj>)[partId]?.value, "The numbers are up.\r\n");
  });

  it("sets keywords and mailboxIds, and IMAP sees both", async () => {
    const [query] = await jam.api.Email.query({ accountId, filter: { text: "pizza" } });
    const [id] = query.ids as string[];
    assert.ok(id);
    const archive = boxes.get("Archive") as string;
    const [set] = await jam.api.Email.set({
      accountId,
      update: { [id]: { "keywords/$flagged": true, mailboxIds: { [archive]: true } } },
    });
    assert.deepEqual(set.updated, { [id]: null });
    const lock = await imap.getMailboxLock("Archive");
    try {
      const fetched = await imap.fetchOne("*", { flags: true, envelope: true });
      assert.ok(fetched !== false);
      assert.equal(fetched.envelope?.subject, "lunch plans");
      assert.ok(fetched.flags?.has("\\Flagged"));
    } finally {
      lock.release();
    }
  });

  it("uploads and imports a message, then finds it by search", async () => {
    const upload = await jam.uploadBlob(
      accountId,
      new Blob([message("imported invoice", "Invoice number 4711 attached.")], { type: "message/rfc822" }),
    );
    const [imported] = await jam.api.Email.import({
      accountId,
      emails: {
        i1: { blobId: upload.blobId, mailboxIds: { [boxes.get("INBOX") as string]: true }, keywords: {} },
      },
    });
    const createdId = ((imported.created as Record<string, Obj>).i1 as Obj).id;
    const [found] = await jam.api.Email.query({ accountId, filter: { body: "4711" } });
    assert.deepEqual(found.ids, [createdId]);
    const [snippets] = await jam.api.SearchSnippet.get({
      accountId,
      filter: { body: "4711" },
      emailIds: [createdId as string],
    });
    assert.match(String(((snippets.list as Obj[])[0] as Obj).preview), /<mark>4711<\/mark>/);
  });

  it("shows IMAP modifications in Email/changes", async () => {
    const [{ state }] = await jam.api.Email.get({ accountId, ids: [] });
    const lock = await imap.getMailboxLock("INBOX");
    let expungedSubject = "";
    try {
      const first = await imap.fetchOne("1", { uid: true, envelope: true });
      assert.ok(first !== false);
      expungedSubject = first.envelope?.subject ?? "";
      await imap.messageFlagsAdd("*", ["\\Answered"]);
      await imap.messageDelete("1");
    } finally {
      lock.release();
    }
    const [changes] = await jam.api.Email.changes({ accountId, sinceState: state });
    assert.equal((changes.destroyed as string[]).length, 1);
    assert.equal((changes.updated as string[]).length, 1);
    const [answered] = await jam.api.Email.get({ accountId, ids: changes.updated, properties: ["keywords"] });
    assert.deepEqual(((answered.list as Obj[])[0] as Obj).keywords, { $answered: true });
    assert.notEqual(expungedSubject, "");
  });

  it("sends a message through EmailSubmission to a local user", async () => {
    const [identities] = await jam.api.Identity.get({ accountId });
    const identityId = ((identities.list as Obj[])[0] as Obj).id as string;
    const [result] = await jam.requestMany((t) => {
      const draft = t.Email.set({
        accountId,
        create: {
          d: {
            mailboxIds: { [boxes.get("Drafts") as string]: true },
            keywords: { $draft: true },
            from: [{ name: "Alice", email: ALICE }],
            to: [{ name: "Bob", email: BOB }],
            subject: "sent with jam",
            bodyValues: { b: { value: "Hello Bob", isEncodingProblem: false, isTruncated: false } },
            textBody: [{ partId: "b", type: "text/plain" }],
          },
        },
      });
      const send = t.EmailSubmission.set({
        accountId,
        create: { s: { identityId, emailId: "#d" } },
        onSuccessDestroyEmail: ["#s"],
      });
      return { draft, send };
    });
    // jam keys responses by call id, so "send" holds the implicit Email/set that follows the
    // EmailSubmission/set response with the same call id (RFC 8621 §7.5): it destroyed the draft.
    const draftId = ((result.draft.created as Obj).d as Obj).id as string;
    assert.deepEqual(result.send.destroyed, [draftId]);
    const [submissions] = await jam.api.EmailSubmission.get({ accountId });
    const submission = (submissions.list as Obj[]).find((s) => s.emailId === draftId) as Obj;
    assert.equal(submission.undoStatus, "final");
    assert.equal(((submission.deliveryStatus as Obj)[BOB] as Obj).delivered, "yes");
    const bob = imapFlowClient(server.port("imap"), BOB);
    await bob.connect();
    try {
      const status = await bob.status("INBOX", { messages: true });
      assert.equal(status === false ? -1 : status.messages, 1);
    } finally {
      await bob.logout();
    }
  });

  it("receives a push event through connectEventSource after an LMTP delivery", async () => {
    const shim = installEventSource(token);
    try {
      const source = (await jam.connectEventSource({ types: "*", ping: 0, closeafter: "no" })) as unknown as {
        addEventListener(type: string, listener: (event: { data: string }) => void): void;
      };
      const event = new Promise<Obj>((resolve) =>
        source.addEventListener("state", (e) => resolve(JSON.parse(e.data) as Obj)),
      );
      const [{ state: before }] = await jam.api.Email.get({ accountId, ids: [] });
      // The server subscribes before it sends the response headers, so nothing is missed from here on.
      await shim.opened;
      const lmtp = nodemailer.createTransport({
        host: "127.0.0.1",
        port: server.port("lmtp"),
        lmtp: true,
        ignoreTLS: true,
      });
      await lmtp.sendMail({
        envelope: { from: "carol@example.test", to: [ALICE] },
        raw: message("pushed", "New mail."),
      });
      const change = await event;
      assert.equal(change["@type"], "StateChange");
      const states = (change.changed as Record<string, Obj>)[accountId] as Obj;
      assert.notEqual(states.Email, before);
      assert.ok("EmailDelivery" in states);
      const [changes] = await jam.api.Email.changes({ accountId, sinceState: before });
      assert.equal((changes.created as string[]).length + (changes.updated as string[]).length, 1);
    } finally {
      shim.close();
    }
  });
});

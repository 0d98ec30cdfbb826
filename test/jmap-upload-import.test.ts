// JMAP uploads (RFC 8620 §6.1), Email/import and Email/parse (RFC 8621 §4.8, §4.9) over real sockets:
// size limits and errors of the upload endpoint, an import seen by an imapflow client idling in the
// folder (with its keywords and receivedAt), a push event after the import, quota and blob errors, and
// an uploaded multipart message parsed without being stored.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import { EventSourceReader } from "./helpers/event-source-reader.js";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { JmapTestClient } from "./helpers/jmap-client.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";
const BOB = "bob@example.test";
const MAX_MESSAGE_BYTES = 64 * 1024;

type Obj = Record<string, unknown>;

const MESSAGE = Buffer.from(
  [
    "From: Carol <carol@example.test>",
    `To: ${ALICE}`,
    "Subject: Imported over JMAP",
    "Date: Tue, 14 May 2024 09:12:31 +0000",
    "Message-ID: <import1@example.test>",
    "MIME-Version: 1.0",
    'Content-Type: multipart/alternative; boundary="b"',
    "",
    "--b",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "Plain words for the parser.",
    "--b",
    "Content-Type: text/html; charset=utf-8",
    "",
    "<p>Plain words for the parser.</p>",
    "--b--",
    "",
  ].join("\r\n"),
);

describe("JMAP upload, Email/import and Email/parse", () => {
  let server: TestServer;
  let alice: JmapTestClient;
  let bob: JmapTestClient;
  let accountId: string;
  let imap: ImapFlow;

  const upload = (
    client: JmapTestClient,
    account: string,
    body: Uint8Array | string,
    type = "message/rfc822",
  ) => client.fetch(`/jmap/upload/${account}/`, { method: "POST", body, headers: { "content-type": type } });
  const uploadBlob = async (body: Uint8Array | string): Promise<Obj> => {
    const res = await upload(alice, accountId, body);
    assert.equal(res.status, 201);
    return (await res.json()) as Obj;
  };
  const mailboxId = async (name: string): Promise<string> => {
    const list = (await alice.one("Mailbox/get", { accountId, properties: ["name"] })).list as Obj[];
    return list.find((m) => m.name === name)?.id as string;
  };
  const importEmails = (emails: Obj) => alice.one("Email/import", { accountId, emails });

  before(async () => {
    server = await startTestServer((config) => ({
      ...config,
      limits: { ...config.limits, maxMessageBytes: MAX_MESSAGE_BYTES },
    }));
    await server.addUser(ALICE);
    await server.addUser(BOB);
    alice = new JmapTestClient(`http://127.0.0.1:${server.port("http")}`, ALICE, TEST_PASSWORD);
    bob = new JmapTestClient(alice.baseUrl, BOB, TEST_PASSWORD);
    accountId = await alice.accountId();
    imap = imapFlowClient(server.port("imap"), ALICE);
    await imap.connect();
    await imap.mailboxCreate("Archive");
  });
  after(async () => {
    await imap.logout().catch(() => {});
    await server.stop();
  });

  it("advertises the upload limits and answers an upload per RFC 8620 §6.1", async () => {
    const session = await alice.session();
    const core = (session.capabilities as Obj)["urn:ietf:params:jmap:core"] as Obj;
    assert.equal(core.maxSizeUpload, MAX_MESSAGE_BYTES);
    assert.ok((core.maxConcurrentUpload as number) >= 1);
    assert.match(session.uploadUrl as string, /\/jmap\/upload\/\{accountId\}\/$/);
    const res = await upload(alice, accountId, MESSAGE);
    assert.equal(res.status, 201);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    const body = (await res.json()) as Obj;
    assert.equal(body.accountId, accountId);
    assert.equal(body.type, "message/rfc822");
    assert.equal(body.size, MESSAGE.length);
    assert.match(body.blobId as string, /^[A-Za-z0-9_-]{1,255}$/);
  });

  it("refuses uploads that are too large, for another account, unauthenticated or not POST", async () => {
    const big = Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x61);
    const declared = await upload(alice, accountId, big);
    assert.equal(declared.status, 413);
    assert.equal(((await declared.json()) as Obj).limit, "maxSizeUpload");
    // Without a Content-Length (chunked), the limit is met while streaming.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(Buffer.alloc(MAX_MESSAGE_BYTES / 4, 0x62));
        controller.close();
      },
    });
    const chunked = await alice.fetch(`/jmap/upload/${accountId}/`, {
      method: "POST",
      body: stream,
      duplex: "half",
    } as RequestInit);
    assert.equal(chunked.status, 413);
    await chunked.body?.cancel();
    const exact = await upload(
      alice,
      accountId,
      Buffer.alloc(MAX_MESSAGE_BYTES, 0x63),
      "application/octet-stream",
    );
    assert.equal(exact.status, 201);
    assert.equal(((await exact.json()) as Obj).type, "application/octet-stream");

    const bobAccount = await bob.accountId();
    const foreign = await upload(alice, bobAccount, MESSAGE);
    assert.equal(foreign.status, 404);
    await foreign.body?.cancel();
    const anonymous = await fetch(`${alice.baseUrl}/jmap/upload/${accountId}/`, {
      method: "POST",
      body: "x",
    });
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();
    const get = await alice.fetch(`/jmap/upload/${accountId}/`);
    assert.equal(get.status, 405);
    await get.body?.cancel();
  });

  it("allows maxConcurrentUpload uploads at once per account, and answers 429 past it", async () => {
    const core = (await alice.session()).capabilities as Obj;
    const max = (core["urn:ietf:params:jmap:core"] as Obj).maxConcurrentUpload as number;
    const controllers: ReadableStreamDefaultController<Uint8Array>[] = [];
    const pending = Array.from({ length: max }, () =>
      alice.fetch(`/jmap/upload/${accountId}/`, {
        method: "POST",
        body: new ReadableStream<Uint8Array>({
          start(controller) {
            controllers.push(controller);
            controller.enqueue(Buffer.from("From: slow@example.test\r\n"));
          },
        }),
        duplex: "half",
      } as RequestInit),
    );
    // Each held upload has started streaming before the next one is tried.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const refused = await upload(alice, accountId, MESSAGE);
    assert.equal(refused.status, 429);
    assert.equal(((await refused.json()) as Obj).limit, "maxConcurrentUpload");
    // Another account is not held back by this one's uploads.
    const bobAccount = await bob.accountId();
    const other = await upload(bob, bobAccount, MESSAGE);
    assert.equal(other.status, 201);
    await other.body?.cancel();
    for (const controller of controllers) {
      controller.enqueue(Buffer.from("\r\nbody\r\n"));
      controller.close();
    }
    for (const res of await Promise.all(pending)) {
      assert.equal(res.status, 201);
      await res.body?.cancel();
    }
    const after = await upload(alice, accountId, MESSAGE);
    assert.equal(after.status, 201);
    await after.body?.cancel();
  });

  it("Email/import puts the blob in the mailboxes; an IMAP client idling there sees it, and push announces it", async () => {
    const archiveId = await mailboxId("Archive");
    const inboxId = await mailboxId("INBOX");
    const { blobId } = await uploadBlob(MESSAGE);
    await imap.mailboxOpen("Archive");
    const exists = new Promise<number>((resolve) => {
      imap.on("exists", (event: { count: number }) => resolve(event.count));
    });
    // imapflow enters IDLE by itself when nothing else runs.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const events = await EventSourceReader.open(
      `${alice.baseUrl}/jmap/eventsource?types=*`,
      alice.authorization,
    );
    const start = performance.now();
    const result = await importEmails({
      k1: {
        blobId,
        mailboxIds: { [archiveId]: true, [inboxId]: true },
        keywords: { $seen: true, $flagged: true, project: true },
        receivedAt: "2024-05-15T08:00:00Z",
      },
    });
    const created = (result.created as Record<string, Obj>).k1 as Obj;
    assert.ok(created, JSON.stringify(result));
    assert.equal(created.size, MESSAGE.length);
    assert.equal(result.notCreated, null);
    assert.notEqual(result.newState, result.oldState);
    const pushed = await events.next();
    console.log(`# push latency JMAP Email/import: ${(pushed.atMs - start).toFixed(1)} ms`);
    const changed = (JSON.parse(pushed.data) as { changed: Record<string, Obj> }).changed[accountId] as Obj;
    assert.ok(changed.EmailDelivery !== undefined && changed.Email !== undefined);
    events.close();

    assert.equal(await exists, 1);
    const [message] = await imap.fetchAll("1:*", { flags: true, internalDate: true, envelope: true });
    assert.equal(message?.envelope?.subject, "Imported over JMAP");
    assert.deepEqual([...(message?.flags ?? [])].sort(), ["\\Flagged", "\\Seen", "project"]);
    assert.equal((message as { internalDate: Date }).internalDate.toISOString(), "2024-05-15T08:00:00.000Z");

    const [email] = (await alice.one("Email/get", { accountId, ids: [created.id] })).list as Obj[];
    assert.deepEqual(email?.mailboxIds, { [archiveId]: true, [inboxId]: true });
    assert.deepEqual(email?.keywords, { $seen: true, $flagged: true, project: true });
    assert.equal(email?.receivedAt, "2024-05-15T08:00:00Z");
    assert.equal(email?.threadId, created.threadId);
    const download = await alice.fetch(`/jmap/download/${accountId}/${created.blobId}/m.eml`);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), MESSAGE);
  });

  it("Email/import refuses unknown or foreign blobs, bad properties and over-quota messages", async () => {
    const inboxId = await mailboxId("INBOX");
    const bobAccount = await bob.accountId();
    const bobUpload = (await (await upload(bob, bobAccount, MESSAGE)).json()) as Obj;
    const { blobId } = await uploadBlob(MESSAGE);
    const result = await importEmails({
      unknown: { blobId: "Unothinghere", mailboxIds: { [inboxId]: true } },
      foreign: { blobId: bobUpload.blobId, mailboxIds: { [inboxId]: true } },
      noMailbox: { blobId, mailboxIds: {} },
      badMailbox: { blobId, mailboxIds: { Mnope: true } },
      badKeyword: { blobId, mailboxIds: { [inboxId]: true }, keywords: { "a b": true } },
      badDate: { blobId, mailboxIds: { [inboxId]: true }, receivedAt: "yesterday" },
    });
    const notCreated = result.notCreated as Record<string, Obj>;
    assert.equal(result.created, null);
    assert.equal(notCreated.unknown?.type, "blobNotFound");
    assert.equal(notCreated.foreign?.type, "blobNotFound", "another account's upload is not found");
    assert.deepEqual(notCreated.noMailbox?.properties, ["mailboxIds"]);
    assert.deepEqual(notCreated.badMailbox?.properties, ["mailboxIds"]);
    assert.deepEqual(notCreated.badKeyword?.properties, ["keywords"]);
    assert.deepEqual(notCreated.badDate?.properties, ["receivedAt"]);

    const [stateError] = await alice.call([
      ["Email/import", { accountId, ifInState: "s0", emails: {} }, "c"],
    ]);
    assert.equal((stateError as [string, Obj, string])[1].type, "stateMismatch");

    const account = await server.server.services.store.accounts.findByAddress(ALICE);
    assert.ok(account);
    await server.server.services.store.accounts.setQuota(account.id, {
      storageBytes: account.usedBytes + 10,
      messages: null,
    });
    const overQuota = await importEmails({ q: { blobId, mailboxIds: { [inboxId]: true } } });
    assert.equal(((overQuota.notCreated as Obj).q as Obj).type, "overQuota");
    await server.server.services.store.accounts.setQuota(account.id, { storageBytes: null, messages: null });
  });

  it("Email/parse reads an uploaded message without storing it", async () => {
    const { blobId } = await uploadBlob(MESSAGE);
    const before = (await alice.one("Email/get", { accountId, ids: [] })).state;
    const result = await alice.one("Email/parse", {
      accountId,
      blobIds: [blobId, "Unothinghere"],
      fetchTextBodyValues: true,
    });
    const email = (result.parsed as Record<string, Obj>)[blobId as string] as Obj;
    assert.equal(email.subject, "Imported over JMAP");
    assert.deepEqual(email.from, [{ name: "Carol", email: "carol@example.test" }]);
    assert.deepEqual(email.messageId, ["import1@example.test"]);
    assert.equal(email.sentAt, "2024-05-14T09:12:31Z");
    assert.equal(email.preview, "Plain words for the parser.");
    const [text] = email.textBody as Obj[];
    assert.equal(text?.type, "text/plain");
    assert.equal(text?.blobId, null);
    assert.equal(
      ((email.bodyValues as Record<string, Obj>)[(text as Obj).partId as string] as Obj).value,
      "Plain words for the parser.",
    );
    assert.equal((email.htmlBody as Obj[])[0]?.type, "text/html");
    assert.deepEqual(result.notFound, ["Unothinghere"]);
    const withIds = await alice.one("Email/parse", {
      accountId,
      blobIds: [blobId],
      properties: ["id", "mailboxIds", "subject", "size"],
    });
    assert.deepEqual((withIds.parsed as Record<string, Obj>)[blobId as string], {
      id: null,
      mailboxIds: null,
      subject: "Imported over JMAP",
      size: MESSAGE.length,
    });
    assert.equal(
      (await alice.one("Email/get", { accountId, ids: [] })).state,
      before,
      "parse stores nothing",
    );
  });

  it("Blob/copy copies the account's blobs (RFC 8620 §6.3) and never another user's", async () => {
    const { blobId } = await uploadBlob(MESSAGE);
    const inbox = await mailboxId("INBOX");
    const stored = ((await importEmails({ s: { blobId, mailboxIds: { [inbox]: true } } })).created as Obj)
      .s as Obj;
    const copy = await alice.one("Blob/copy", {
      fromAccountId: accountId,
      accountId,
      blobIds: [blobId, stored.blobId, "Unothinghere"],
    });
    assert.equal(copy.fromAccountId, accountId);
    const copied = copy.copied as Record<string, string>;
    assert.deepEqual(Object.keys(copied).sort(), [blobId, stored.blobId].sort());
    assert.notEqual(copied[blobId as string], blobId, "a new blob id");
    assert.deepEqual(copy.notCopied, { Unothinghere: { type: "notFound" } });
    const parsed = await alice.one("Email/parse", {
      accountId,
      blobIds: Object.values(copied),
      properties: ["subject"],
    });
    assert.deepEqual(
      Object.values(parsed.parsed as Record<string, Obj>).map((e) => e.subject),
      ["Imported over JMAP", "Imported over JMAP"],
    );

    // Bob shares nothing with alice: his account is no source, and alice's blobs are no blobs of his.
    const bobId = await bob.accountId();
    const foreign = await alice.call([
      ["Blob/copy", { fromAccountId: bobId, accountId, blobIds: ["Uanything"] }, "a"],
      ["Blob/copy", { fromAccountId: accountId, accountId: bobId, blobIds: [blobId] }, "b"],
    ]);
    assert.deepEqual(
      foreign.map((r) => [r[0], r[1].type]),
      [
        ["error", "fromAccountNotFound"],
        ["error", "accountNotFound"],
      ],
    );
    const bobsCopy = await bob.one("Blob/copy", {
      fromAccountId: bobId,
      accountId: bobId,
      blobIds: [blobId],
    });
    assert.deepEqual(bobsCopy.notCopied, { [blobId as string]: { type: "notFound" } }, "alice's upload");
    assert.equal(bobsCopy.copied, null);
  });
});

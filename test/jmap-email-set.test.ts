// Email/set over real HTTP (RFC 8621 §4.6) seen live by IMAP: a keyword change reaches an imapflow session
// in IDLE as a FETCH FLAGS, a mailboxIds change as EXPUNGE (and the destination counts it), a destroy as
// EXPUNGE; bad patches, unknown ids and stale ifInState get the RFC's SetErrors and method errors.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { JmapTestClient } from "./helpers/jmap-client.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";
type Obj = Record<string, unknown>;

const message = (n: number) =>
  Buffer.from(
    `From: Bob <bob@example.test>\r\nTo: alice@example.test\r\nSubject: note ${n}\r\n\r\nBody ${n}.\r\n`,
  );

/** Puts the client in IDLE; resolves with the first event of `name` that `accept` takes, or rejects after `ms`. */
function nextEvent<T>(client: ImapFlow, name: string, accept: (event: T) => boolean, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(name, listener);
      reject(new Error(`no ${name} event within ${ms} ms`));
    }, ms);
    const listener = (event: T) => {
      if (!accept(event)) return;
      clearTimeout(timer);
      client.off(name, listener);
      resolve(event);
    };
    client.on(name, listener);
    void client.idle();
  });
}

describe("JMAP Email/set, seen by IMAP IDLE", () => {
  let server: TestServer;
  let alice: JmapTestClient;
  let accountId: string;
  let writer: ImapFlow;
  let watcher: ImapFlow;
  const ids = new Map<string, string>();
  const mailboxes = new Map<string, string>();

  const imapClient = () => imapFlowClient(server.port("imap"), ALICE);
  const set = (args: Obj) => alice.one("Email/set", { accountId, ...args });
  const emailOf = async (id: string): Promise<Obj> =>
    (
      (await alice.one("Email/get", { accountId, ids: [id], properties: ["keywords", "mailboxIds"] }))
        .list as Obj[]
    )[0] as Obj;

  before(async () => {
    server = await startTestServer();
    await server.addUser(ALICE);
    alice = new JmapTestClient(`http://127.0.0.1:${server.port("http")}`, ALICE, TEST_PASSWORD);
    accountId = await alice.accountId();
    writer = imapClient();
    await writer.connect();
    for (let n = 1; n <= 4; n++) await writer.append("INBOX", message(n), n === 4 ? ["$Custom"] : []);
    const query = await alice.one("Email/get", { accountId, properties: ["subject"] });
    for (const email of query.list as Obj[]) ids.set(email.subject as string, email.id as string);
    const boxes = await alice.one("Mailbox/get", { accountId, properties: ["name"] });
    for (const box of boxes.list as Obj[]) mailboxes.set(box.name as string, box.id as string);
    watcher = imapClient();
    await watcher.connect();
    await watcher.mailboxOpen("INBOX");
  });
  after(async () => {
    await watcher.logout().catch(() => {});
    await writer.logout().catch(() => {});
    await server.stop();
  });

  it("sets and clears keywords; an IMAP session in IDLE gets the new FLAGS", async () => {
    const id = ids.get("note 1") as string;
    const flagsEvent = nextEvent<{ uid: number; flags: Set<string> }>(watcher, "flags", (e) =>
      e.flags.has("\\Seen"),
    );
    const result = await set({ update: { [id]: { "keywords/$seen": true, "keywords/$flagged": true } } });
    assert.deepEqual(result.updated, { [id]: null });
    assert.notEqual(result.newState, result.oldState);
    const event = await flagsEvent;
    assert.ok(event.flags.has("\\Flagged"));
    assert.deepEqual((await emailOf(id)).keywords, { $seen: true, $flagged: true });

    const cleared = nextEvent<{ flags: Set<string> }>(watcher, "flags", (e) => !e.flags.has("\\Seen"));
    await set({ update: { [id]: { "keywords/$seen": null } } });
    assert.deepEqual([...(await cleared).flags].sort(), ["\\Flagged"]);
    // A whole keywords value replaces them; IMAP keywords keep working alongside.
    const custom = ids.get("note 4") as string;
    assert.deepEqual((await emailOf(custom)).keywords, { $custom: true });
    await set({ update: { [custom]: { keywords: { $answered: true, $label1: true } } } });
    assert.deepEqual((await emailOf(custom)).keywords, { $answered: true, $label1: true });
    await writer.mailboxOpen("INBOX");
    const fetched = await writer.fetchOne("4", { flags: true });
    assert.deepEqual([...(fetched as { flags: Set<string> }).flags].sort(), ["$label1", "\\Answered"]);
  });

  it("moves an email by mailboxIds: IDLE on INBOX gets EXPUNGE, the destination counts it", async () => {
    const id = ids.get("note 2") as string;
    const archive = mailboxes.get("Archive") as string;
    const expunge = nextEvent<{ path: string }>(watcher, "expunge", (e) => e.path === "INBOX");
    const result = await set({ update: { [id]: { mailboxIds: { [archive]: true } } } });
    assert.deepEqual(result.updated, { [id]: null });
    await expunge;
    assert.deepEqual((await emailOf(id)).mailboxIds, { [archive]: true });
    const status = await writer.status("Archive", { messages: true });
    assert.ok(status, "STATUS answers");
    assert.equal(status.messages, 1);
    // The same Email id in both after adding a mailbox (COPY), back to one after removing (EXPUNGE).
    await set({ update: { [id]: { [`mailboxIds/${mailboxes.get("INBOX")}`]: true } } });
    assert.deepEqual((await emailOf(id)).mailboxIds, {
      [archive]: true,
      [mailboxes.get("INBOX") as string]: true,
    });
    await set({ update: { [id]: { [`mailboxIds/${archive}`]: null } } });
    assert.deepEqual((await emailOf(id)).mailboxIds, { [mailboxes.get("INBOX") as string]: true });
  });

  it("destroys an email: gone for IMAP too", async () => {
    const id = ids.get("note 3") as string;
    const expunge = nextEvent<{ path: string }>(watcher, "expunge", (e) => e.path === "INBOX");
    const result = await set({ destroy: [id] });
    assert.deepEqual(result.destroyed, [id]);
    await expunge;
    const again = await set({ destroy: [id] });
    assert.deepEqual(again.notDestroyed, { [id]: { type: "notFound" } });
    await writer.mailboxOpen("INBOX");
    const search = await writer.search({ subject: "note 3" });
    assert.deepEqual(search, []);
  });

  it("refuses bad updates one by one, and a stale ifInState as a whole", async () => {
    const id = ids.get("note 1") as string;
    const result = await set({
      create: { k1: { mailboxIds: { Mnope: true } } },
      update: {
        Enope: { "keywords/$seen": true },
        [id]: { subject: "new subject" },
        [ids.get("note 4") as string]: { mailboxIds: {} },
        [ids.get("note 2") as string]: { "mailboxIds/Mnope": true },
      },
    });
    assert.equal(result.updated, null);
    const notUpdated = result.notUpdated as Record<string, Obj>;
    assert.equal(notUpdated.Enope?.type, "notFound");
    assert.equal(notUpdated[id]?.type, "invalidProperties");
    assert.equal(notUpdated[ids.get("note 4") as string]?.type, "invalidProperties");
    assert.equal(notUpdated[ids.get("note 2") as string]?.type, "invalidProperties");
    assert.equal((result.notCreated as Record<string, Obj>).k1?.type, "invalidProperties");
    const patchConflict = await set({ update: { [id]: { keywords: {}, "keywords/$seen": true } } });
    assert.equal((patchConflict.notUpdated as Record<string, Obj>)[id]?.type, "invalidPatch");
    const badKeyword = await set({ update: { [id]: { "keywords/a b": true } } });
    assert.equal((badKeyword.notUpdated as Record<string, Obj>)[id]?.type, "invalidProperties");
    const [stale] = await alice.call([["Email/set", { accountId, ifInState: "s1", update: {} }, "x"]]);
    assert.equal(stale?.[1].type, "stateMismatch");
    const current = (await alice.one("Email/get", { accountId, ids: [] })).state as string;
    const ok = await set({ ifInState: current, update: { [id]: { "keywords/$seen": true } } });
    assert.deepEqual(ok.updated, { [id]: null });
  });
});

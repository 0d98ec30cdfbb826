// Mailbox/set over real HTTP (RFC 8621 §2.5), checked from IMAP: folders JMAP creates, renames, moves and
// destroys appear so in IMAP LIST at once; the RFC's SetErrors for bad names, duplicates, children,
// emails, INBOX and unknown ids.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { JmapTestClient } from "./helpers/jmap-client.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";
type Obj = Record<string, unknown>;

describe("JMAP Mailbox/set, seen by IMAP", () => {
  let server: TestServer;
  let alice: JmapTestClient;
  let accountId: string;
  let imap: ImapFlow;
  const set = (args: Obj) => alice.one("Mailbox/set", { accountId, ...args });
  const imapNames = async () => (await imap.list()).map((m) => m.path).sort();
  const idOf = async (name: string) => {
    const list = (await alice.one("Mailbox/get", { accountId, properties: ["name", "parentId"] }))
      .list as Obj[];
    return list.find((m) => m.name === name)?.id as string;
  };

  before(async () => {
    server = await startTestServer();
    await server.addUser(ALICE);
    alice = new JmapTestClient(`http://127.0.0.1:${server.port("http")}`, ALICE, TEST_PASSWORD);
    accountId = await alice.accountId();
    imap = imapFlowClient(server.port("imap"), ALICE);
    await imap.connect();
  });
  after(async () => {
    await imap.logout().catch(() => {});
    await server.stop();
  });

  it("creates a folder and a child by creation id; IMAP lists both", async () => {
    const before = (await alice.one("Mailbox/get", { accountId, ids: [] })).state as string;
    const result = await set({
      create: {
        work: { name: "Work", isSubscribed: true },
        reports: { name: "Reports", parentId: "#work" },
      },
    });
    const created = result.created as Record<string, Obj>;
    assert.equal(typeof created.work?.id, "string");
    assert.equal(typeof created.reports?.id, "string");
    assert.ok((await imapNames()).includes("Work/Reports"));
    const get = await alice.one("Mailbox/get", {
      accountId,
      ids: [created.reports?.id],
      properties: ["name", "parentId"],
    });
    assert.deepEqual(get.list, [{ id: created.reports?.id, name: "Reports", parentId: created.work?.id }]);
    assert.equal((await imap.list()).find((m) => m.path === "Work")?.subscribed, true);
    const changes = await alice.one("Mailbox/changes", { accountId, sinceState: before });
    for (const id of [created.work?.id, created.reports?.id])
      assert.ok((changes.created as string[]).includes(id as string));
    assert.deepEqual(changes.updated, []);
  });

  it("renames and moves folders by name and parentId; IMAP sees the new names", async () => {
    const work = await idOf("Work");
    const reports = await idOf("Reports");
    assert.deepEqual((await set({ update: { [work]: { name: "Jobs" } } })).updated, { [work]: null });
    assert.ok((await imapNames()).includes("Jobs/Reports"));
    assert.deepEqual((await set({ update: { [reports]: { parentId: null } } })).updated, { [reports]: null });
    const names = await imapNames();
    assert.ok(names.includes("Reports") && names.includes("Jobs") && !names.includes("Jobs/Reports"));
    const intoItself = await set({ update: { [work]: { parentId: work } } });
    assert.equal((intoItself.notUpdated as Record<string, Obj>)[work]?.type, "invalidProperties");
  });

  it("sets a role from the SPECIAL-USE names", async () => {
    const reports = await idOf("Reports");
    await set({ update: { [reports]: { role: "flagged" } } });
    const get = await alice.one("Mailbox/get", { accountId, ids: [reports], properties: ["role"] });
    assert.equal((get.list as Obj[])[0]?.role, "flagged");
    const listed = (await imap.list()).find((m) => m.path === "Reports");
    assert.equal(listed?.specialUse, "\\Flagged");
    const bad = await set({ update: { [reports]: { role: "inbox" } } });
    assert.equal((bad.notUpdated as Record<string, Obj>)[reports]?.type, "invalidProperties");
  });

  it("refuses bad names, duplicates, unknown parents and unknown properties", async () => {
    const result = await set({
      create: {
        slash: { name: "a/b" },
        empty: { name: "" },
        dup: { name: "Jobs" },
        orphan: { name: "X", parentId: "Mnope" },
        extra: { name: "Y", totalEmails: 5 },
      },
    });
    const notCreated = result.notCreated as Record<string, Obj>;
    assert.equal(notCreated.slash?.type, "invalidProperties");
    assert.equal(notCreated.empty?.type, "invalidProperties");
    assert.equal(notCreated.dup?.type, "alreadyExists");
    assert.equal(notCreated.orphan?.type, "invalidProperties");
    assert.deepEqual(notCreated.extra?.properties, ["totalEmails"]);
    assert.equal(result.created, null);
  });

  it("destroys: not INBOX, not with children, not with emails unless asked", async () => {
    const inbox = await idOf("INBOX");
    const jobs = await idOf("Jobs");
    const reports = await idOf("Reports");
    await set({ create: { child: { name: "Old", parentId: jobs } } });
    await imap.append("Reports", Buffer.from("Subject: keep\r\n\r\nx\r\n"));
    const refused = await set({ destroy: [inbox, jobs, reports, "Mnope"] });
    const notDestroyed = refused.notDestroyed as Record<string, Obj>;
    assert.equal(notDestroyed[inbox]?.type, "forbidden");
    assert.equal(notDestroyed[jobs]?.type, "mailboxHasChild");
    assert.equal(notDestroyed[reports]?.type, "mailboxHasEmail");
    assert.equal(notDestroyed.Mnope?.type, "notFound");
    const removed = await set({ destroy: [reports], onDestroyRemoveEmails: true });
    assert.deepEqual(removed.destroyed, [reports]);
    assert.ok(!(await imapNames()).includes("Reports"));
    const old = await idOf("Old");
    assert.deepEqual((await set({ destroy: [old] })).destroyed, [old]);
    assert.deepEqual((await set({ destroy: [jobs] })).destroyed, [jobs]);
    const [stale] = await alice.call([["Mailbox/set", { accountId, ifInState: "s1", destroy: [] }, "x"]]);
    assert.equal(stale?.[1].type, "stateMismatch");
  });
});

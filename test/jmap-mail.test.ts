// JMAP Mail read side over real sockets (RFC 8621): messages delivered by LMTP and APPENDed by imapflow,
// read back with Mailbox/get, Email/query, Email/get, Thread/get and blob downloads; changes made over
// IMAP show in Email/changes, Mailbox/changes and Email/get keywords.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { JmapTestClient } from "./helpers/jmap-client.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";
const ATTACHMENT = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
const base64Lines = (bytes: Buffer): string =>
  bytes.toString("base64").replace(/.{76}/g, "$&\r\n").replace(/\r\n$/, "");

const REPORT = Buffer.from(
  [
    'From: "Carol Example" <carol@example.test>',
    "To: Alice <alice@example.test>, team: dave@example.test, erin@example.test;",
    "Subject: Quarterly report",
    "Date: Tue, 14 May 2024 09:12:31 +0200",
    "Message-ID: <q4@example.test>",
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="outer"',
    "",
    "--outer",
    'Content-Type: multipart/alternative; boundary="alt"',
    "",
    "--alt",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    "Gr=C3=BC=C3=9Fe =E2=80=94 the quarterly numbers are attached.",
    "--alt",
    "Content-Type: text/html; charset=utf-8",
    "",
    "<p>Grüße — the <b>quarterly</b> numbers are attached.</p>",
    "--alt--",
    "--outer",
    'Content-Type: application/octet-stream; name="numbers.bin"',
    "Content-Transfer-Encoding: base64",
    'Content-Disposition: attachment; filename="numbers.bin"',
    "",
    base64Lines(ATTACHMENT),
    "--outer--",
    "",
  ].join("\r\n"),
  "utf8",
);

const reply = (n: number) =>
  Buffer.from(
    [
      "From: Dave <dave@example.test>",
      "To: Alice <alice@example.test>",
      `Subject: Re: Quarterly report ${n}`,
      `Date: Wed, ${15 + n} May 2024 10:00:00 +0000`,
      `Message-ID: <reply${n}@example.test>`,
      "In-Reply-To: <q4@example.test>",
      "References: <q4@example.test>",
      "",
      `Reply number ${n}.`,
      "",
    ].join("\r\n"),
  );

type Obj = Record<string, unknown>;

describe("JMAP Mail: reading what LMTP and IMAP stored", () => {
  let server: TestServer;
  let alice: JmapTestClient;
  let accountId: string;
  let imap: ImapFlow;
  let inboxId: string;
  let projectsId: string;
  let reportId: string;

  const mailboxIdByName = async (name: string): Promise<string> => {
    const get = await alice.one("Mailbox/get", { accountId, properties: ["name"] });
    const found = (get.list as Obj[]).find((m) => m.name === name);
    if (!found) throw new Error(`no mailbox ${name}`);
    return found.id as string;
  };

  before(async () => {
    server = await startTestServer();
    await server.addUser(ALICE);
    alice = new JmapTestClient(`http://127.0.0.1:${server.port("http")}`, ALICE, TEST_PASSWORD);
    accountId = await alice.accountId();
    const lmtp = nodemailer.createTransport({
      host: "127.0.0.1",
      port: server.port("lmtp"),
      lmtp: true,
      ignoreTLS: true,
    });
    await lmtp.sendMail({ envelope: { from: "carol@example.test", to: [ALICE] }, raw: REPORT });
    imap = imapFlowClient(server.port("imap"), ALICE);
    await imap.connect();
    await imap.mailboxCreate("Projects/2024");
    await imap.append("INBOX", reply(1), ["\\Seen"], new Date("2024-05-16T10:00:00Z"));
    await imap.append("Projects/2024", reply(2), [], new Date("2024-05-17T10:00:00Z"));
    inboxId = await mailboxIdByName("INBOX");
    projectsId = await mailboxIdByName("Projects");
    const query = await alice.one("Email/query", {
      accountId,
      filter: { subject: "Quarterly report", from: "carol" },
    });
    reportId = (query.ids as string[])[0] as string;
  });
  after(async () => {
    await imap.logout().catch(() => {});
    await server.stop();
  });

  it("lists mailboxes with roles, parents and counts", async () => {
    const get = await alice.one("Mailbox/get", { accountId });
    const list = get.list as Obj[];
    const byName = new Map(list.map((m) => [m.name as string, m]));
    const inbox = byName.get("INBOX") as Obj;
    assert.equal(inbox.role, "inbox");
    assert.equal(inbox.totalEmails, 2);
    assert.equal(inbox.unreadEmails, 1, "the APPENDed reply is \\Seen");
    assert.equal(
      inbox.totalThreads,
      2 - (inbox.totalThreads === 1 ? 1 : 0) + (inbox.totalThreads === 1 ? 0 : 0),
    );
    assert.equal(byName.get("Sent")?.role, "sent");
    assert.equal(byName.get("Trash")?.role, "trash");
    const child = byName.get("2024") as Obj;
    assert.equal(child.parentId, projectsId);
    assert.equal(child.totalEmails, 1);
    // RFC 8621 §2 from the ACL rights model: the owner holds every right; INBOX cannot be renamed or deleted.
    const allRights = {
      mayReadItems: true,
      mayAddItems: true,
      mayRemoveItems: true,
      maySetSeen: true,
      maySetKeywords: true,
      mayCreateChild: true,
      mayRename: true,
      mayDelete: true,
      maySubmit: true,
    };
    assert.deepEqual(inbox.myRights, { ...allRights, mayRename: false, mayDelete: false });
    assert.deepEqual(child.myRights, allRights);
    assert.equal(typeof get.state, "string");
    const some = await alice.one("Mailbox/get", { accountId, ids: [inboxId, "Mnope"], properties: ["role"] });
    assert.deepEqual(some.list, [{ id: inboxId, role: "inbox" }]);
    assert.deepEqual(some.notFound, ["Mnope"]);
  });

  it("queries emails through the search index: mailbox, text, sender, keyword, sort, paging, total", async () => {
    const ids = async (args: Obj) => (await alice.one("Email/query", { accountId, ...args })).ids as string[];
    assert.equal((await ids({ filter: { inMailbox: inboxId } })).length, 2);
    assert.equal((await ids({ filter: { inMailbox: projectsId } })).length, 0);
    assert.deepEqual(await ids({ filter: { text: "numbers are attached" } }), [reportId]);
    assert.deepEqual(await ids({ filter: { body: "QUARTERLY NUMBERS" } }), [reportId]);
    assert.equal((await ids({ filter: { from: "dave@example.test" } })).length, 2);
    assert.equal((await ids({ filter: { hasKeyword: "$seen" } })).length, 1);
    assert.equal((await ids({ filter: { notKeyword: "$seen", inMailbox: inboxId } })).length, 1);
    assert.equal((await ids({ filter: { header: ["Message-ID", "q4@example"] } })).length, 1);
    assert.equal(
      (await ids({ filter: { operator: "NOT", conditions: [{ inMailbox: inboxId }] } })).length,
      1,
    );
    assert.equal(
      (
        await ids({
          filter: { operator: "OR", conditions: [{ subject: "report 1" }, { subject: "report 2" }] },
        })
      ).length,
      2,
    );
    const bySent = await ids({ sort: [{ property: "sentAt", isAscending: true }] });
    assert.equal(bySent[0], reportId);
    const page = await alice.one("Email/query", {
      accountId,
      sort: [{ property: "sentAt" }],
      position: 1,
      limit: 1,
      calculateTotal: true,
    });
    assert.deepEqual(page.ids, [bySent[1]]);
    assert.equal(page.total, 3);
    assert.equal(page.position, 1);
    const anchored = await alice.one("Email/query", {
      accountId,
      sort: [{ property: "sentAt" }],
      anchor: bySent[1],
      anchorOffset: 1,
    });
    assert.deepEqual(anchored.ids, bySent.slice(2));
    const collapsed = await ids({ collapseThreads: true });
    const threads = await alice.one("Email/get", { accountId, ids: bySent, properties: ["threadId"] });
    const distinct = new Set((threads.list as Obj[]).map((e) => e.threadId));
    assert.equal(collapsed.length, distinct.size);
    const [error] = await alice.call([["Email/query", { accountId, anchor: "Enope" }, "a"]]);
    assert.equal(error?.[1].type, "anchorNotFound");
  });

  it("answers a repeated query from the account's current state, not from an earlier answer", async () => {
    // Email/query keeps results per account state so paging is cheap; an IMAP change must end that.
    const flagged = async () =>
      (await alice.one("Email/query", { accountId, filter: { hasKeyword: "$flagged" } })).ids as string[];
    assert.deepEqual(await flagged(), []);
    assert.deepEqual(await flagged(), []);
    await imap.mailboxOpen("INBOX");
    await imap.messageFlagsAdd("1:*", ["\\Flagged"]);
    assert.equal((await flagged()).length, 2);
    await imap.messageFlagsRemove("1:*", ["\\Flagged"]);
    assert.deepEqual(await flagged(), []);
    await imap.mailboxClose();
  });

  it("gets an email's metadata, headers and body parts from the stored index", async () => {
    const get = await alice.one("Email/get", { accountId, ids: [reportId, "Enope"] });
    assert.deepEqual(get.notFound, ["Enope"]);
    const email = (get.list as Obj[])[0] as Obj;
    assert.equal(email.subject, "Quarterly report");
    assert.deepEqual(email.from, [{ name: "Carol Example", email: "carol@example.test" }]);
    assert.deepEqual(email.to, [
      { name: "Alice", email: "alice@example.test" },
      { name: null, email: "dave@example.test" },
      { name: null, email: "erin@example.test" },
    ]);
    assert.equal(email.sentAt, "2024-05-14T07:12:31Z");
    assert.deepEqual(email.messageId, ["q4@example.test"]);
    assert.deepEqual(email.mailboxIds, { [inboxId]: true });
    assert.deepEqual(email.keywords, {});
    assert.equal(email.hasAttachment, true);
    assert.match(email.preview as string, /quarterly numbers are attached/);
    assert.equal(typeof email.receivedAt, "string");
    assert.ok((email.size as number) > REPORT.length, "LMTP adds trace headers");
    assert.deepEqual(
      (email.textBody as Obj[]).map((p) => [p.partId, p.type]),
      [["1.1", "text/plain"]],
    );
    assert.deepEqual(
      (email.htmlBody as Obj[]).map((p) => [p.partId, p.type]),
      [["1.2", "text/html"]],
    );
    const [attachment] = email.attachments as Obj[];
    assert.equal(attachment?.name, "numbers.bin");
    assert.equal(attachment?.disposition, "attachment");
    assert.equal(attachment?.partId, "2");
    assert.deepEqual(email.bodyValues, {});

    const full = await alice.one("Email/get", {
      accountId,
      ids: [reportId],
      properties: ["headers", "bodyStructure", "bodyValues"],
      fetchAllBodyValues: true,
      maxBodyValueBytes: 10,
    });
    const detailed = (full.list as Obj[])[0] as Obj;
    const headers = detailed.headers as { name: string; value: string }[];
    assert.ok(headers.some((h) => h.name === "Subject" && h.value === " Quarterly report"));
    assert.ok(
      headers.some((h) => h.name === "Received"),
      "the trace header LMTP added",
    );
    const structure = detailed.bodyStructure as Obj;
    assert.equal(structure.type, "multipart/mixed");
    assert.equal(structure.partId, null);
    assert.deepEqual(
      (((structure.subParts as Obj[])[0] as Obj).subParts as Obj[]).map((p) => p.type),
      ["text/plain", "text/html"],
    );
    const values = detailed.bodyValues as Record<string, Obj>;
    assert.deepEqual(Object.keys(values).sort(), ["1.1", "1.2"]);
    assert.equal(values["1.1"]?.value, "Grüße ", "10 bytes cut before the 3-byte dash");
    assert.equal(values["1.1"]?.isTruncated, true);

    const text = await alice.one("Email/get", {
      accountId,
      ids: [reportId],
      properties: ["bodyValues"],
      fetchTextBodyValues: true,
    });
    assert.deepEqual((text.list as Obj[])[0]?.bodyValues, {
      "1.1": {
        value: "Grüße — the quarterly numbers are attached.",
        isEncodingProblem: false,
        isTruncated: false,
      },
    });
  });

  it("parses header fields in the forms RFC 8621 §4.1.2 defines", async () => {
    const get = await alice.one("Email/get", {
      accountId,
      ids: [reportId],
      properties: [
        "header:Subject:asText",
        "header:subject",
        "header:From:asAddresses",
        "header:To:asGroupedAddresses",
        "header:Message-ID:asMessageIds",
        "header:Date:asDate",
        "header:Received:all",
        "header:X-Missing",
        "header:X-Missing:all",
      ],
    });
    const email = (get.list as Obj[])[0] as Obj;
    assert.equal(email["header:Subject:asText"], "Quarterly report");
    assert.equal(email["header:subject"], " Quarterly report");
    assert.deepEqual(email["header:From:asAddresses"], [
      { name: "Carol Example", email: "carol@example.test" },
    ]);
    assert.deepEqual(email["header:To:asGroupedAddresses"], [
      { name: null, addresses: [{ name: "Alice", email: "alice@example.test" }] },
      {
        name: "team",
        addresses: [
          { name: null, email: "dave@example.test" },
          { name: null, email: "erin@example.test" },
        ],
      },
    ]);
    assert.deepEqual(email["header:Message-ID:asMessageIds"], ["q4@example.test"]);
    assert.equal(email["header:Date:asDate"], "2024-05-14T07:12:31Z");
    assert.ok(
      Array.isArray(email["header:Received:all"]) && (email["header:Received:all"] as unknown[]).length >= 1,
    );
    assert.equal(email["header:X-Missing"], null);
    assert.deepEqual(email["header:X-Missing:all"], []);
    const [wrongForm] = await alice.call([
      ["Email/get", { accountId, ids: [reportId], properties: ["header:Subject:asAddresses"] }, "x"],
    ]);
    assert.equal(wrongForm?.[1].type, "invalidArguments");
  });

  it("downloads the message and a decoded attachment by blob id", async () => {
    const get = await alice.one("Email/get", {
      accountId,
      ids: [reportId],
      properties: ["blobId", "attachments"],
    });
    const email = (get.list as Obj[])[0] as Obj;
    const whole = await alice.fetch(`/jmap/download/${accountId}/${email.blobId}/report.eml`);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get("content-type"), "message/rfc822");
    const bytes = Buffer.from(await whole.arrayBuffer());
    assert.ok(
      bytes.subarray(bytes.length - REPORT.length).equals(REPORT),
      "the delivered bytes after the trace headers",
    );
    const part = (email.attachments as Obj[])[0] as Obj;
    const file = await alice.fetch(
      `/jmap/download/${accountId}/${part.blobId}/numbers.bin?accept=application/x-test`,
    );
    assert.equal(file.status, 200);
    assert.equal(file.headers.get("content-type"), "application/x-test");
    assert.match(file.headers.get("content-disposition") ?? "", /filename\*=UTF-8''numbers\.bin/);
    assert.ok(Buffer.from(await file.arrayBuffer()).equals(ATTACHMENT));
    assert.equal((await alice.fetch(`/jmap/download/${accountId}/${email.blobId}_9/x`)).status, 404);
    assert.equal((await alice.fetch(`/jmap/download/${accountId}/Bnope/x`)).status, 404);
  });

  it("groups replies into the report's thread (Thread/get by result reference with *)", async () => {
    const responses = await alice.call([
      ["Email/query", { accountId, sort: [{ property: "sentAt" }] }, "q"],
      [
        "Email/get",
        { accountId, "#ids": { resultOf: "q", name: "Email/query", path: "/ids" }, properties: ["threadId"] },
        "g",
      ],
      [
        "Thread/get",
        { accountId, "#ids": { resultOf: "g", name: "Email/get", path: "/list/*/threadId" } },
        "t",
      ],
    ]);
    const threads = responses[2]?.[1].list as { id: string; emailIds: string[] }[];
    const reportThread = threads.find((t) => t.emailIds.includes(reportId));
    assert.ok(reportThread);
    assert.equal(reportThread.emailIds.length, 3);
    const dates = await alice.one("Email/get", {
      accountId,
      ids: reportThread.emailIds,
      properties: ["receivedAt"],
    });
    const received = (dates.list as Obj[]).map((e) => e.receivedAt as string);
    assert.deepEqual(received, [...received].sort(), "oldest receivedAt first");
    assert.equal(
      reportThread.emailIds.at(-1),
      reportId,
      "delivered now, after the replies APPENDed with 2024 dates",
    );
  });

  it("shows IMAP flag changes, moves and expunges in Email/changes, Mailbox/changes and keywords", async () => {
    const before = (await alice.one("Email/get", { accountId, ids: [], properties: ["id"] })).state as string;
    const noChanges = await alice.one("Email/changes", { accountId, sinceState: before });
    assert.deepEqual([noChanges.updated, noChanges.destroyed, noChanges.newState], [[], [], before]);

    await imap.mailboxOpen("INBOX");
    const search = await imap.search({ header: { "message-id": "q4@example.test" } }, { uid: true });
    const uid = (search as number[])[0] as number;
    await imap.messageFlagsAdd(String(uid), ["\\Flagged", "$Forwarded"], { uid: true });
    const changes = await alice.one("Email/changes", { accountId, sinceState: before });
    assert.deepEqual(changes.updated, [reportId]);
    assert.deepEqual(changes.destroyed, []);
    assert.notEqual(changes.newState, before);
    const mailboxChanges = await alice.one("Mailbox/changes", { accountId, sinceState: before });
    assert.deepEqual(mailboxChanges.updated, [inboxId]);
    const get = await alice.one("Email/get", { accountId, ids: [reportId], properties: ["keywords"] });
    assert.deepEqual((get.list as Obj[])[0]?.keywords, { $flagged: true, $forwarded: true });

    const afterFlags = changes.newState as string;
    await imap.messageMove(String(uid), "Projects", { uid: true });
    const moved = await alice.one("Email/get", {
      accountId,
      ids: [reportId],
      properties: ["mailboxIds", "keywords"],
    });
    assert.deepEqual((moved.list as Obj[])[0]?.mailboxIds, { [projectsId]: true });
    assert.deepEqual((moved.list as Obj[])[0]?.keywords, { $flagged: true, $forwarded: true });
    const afterMove = await alice.one("Email/changes", { accountId, sinceState: afterFlags });
    assert.deepEqual(afterMove.updated, [reportId]);
    const boxes = await alice.one("Mailbox/changes", { accountId, sinceState: afterFlags });
    assert.deepEqual((boxes.updated as string[]).sort(), [inboxId, projectsId].sort());

    await imap.mailboxOpen("Projects");
    await imap.messageDelete("1:*", { uid: true });
    const gone = await alice.one("Email/changes", { accountId, sinceState: afterFlags });
    assert.deepEqual(gone.destroyed, [reportId]);
    assert.deepEqual(gone.updated, []);
    const notThere = await alice.one("Email/get", { accountId, ids: [reportId] });
    assert.deepEqual(notThere.notFound, [reportId]);
    const limited = await alice.call([
      ["Email/changes", { accountId, sinceState: before, maxChanges: 0 }, "x"],
    ]);
    assert.equal(limited[0]?.[1].type, "invalidArguments");
  });
});

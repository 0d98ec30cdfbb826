// The examples of RFC 8620 and RFC 8621 as tests: each request as the RFC shows it (with this server's
// ids in place of the RFC's), and the response's shape as the RFC shows it — Core/echo (RFC 8620 §4.1),
// the result-reference chain (RFC 8620 §3.7), Email/get with bodyValues (RFC 8621 §4.5), Email/query with
// sort and filter (RFC 8621 §4.4, §4.10), Mailbox/changes (RFC 8621 §2.6), creating a draft with
// Email/set (RFC 8621 §4.10) and EmailSubmission/set with onSuccessUpdateEmail (RFC 8621 §7.5.1).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { CORE, JmapTestClient, MAIL } from "./helpers/jmap-client.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const JOHN = "john@example.test";
const JANE = "jane@example.test";
const SUBMISSION = "urn:ietf:params:jmap:submission";
type Obj = Record<string, unknown>;
type Response = [string, Obj, string];

const html = `<html><body><p>${"Party time! Bring your friends, your dancing shoes and a dish to share. ".repeat(8)}</p></body></html>`;
const partyMessage = Buffer.from(
  [
    "From: Jane <jane@example.test>",
    `To: ${JOHN}`,
    "Subject: Dinner on Thursday?",
    "Date: Mon, 02 Jul 2018 10:00:00 +0000",
    "Message-ID: <party@example.test>",
    "List-Post: <mailto:partytime@lists.example.com>",
    "MIME-Version: 1.0",
    'Content-Type: multipart/alternative; boundary="b"',
    "",
    "--b",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "Party time!",
    "--b",
    "Content-Type: text/html; charset=utf-8",
    "",
    html,
    "--b--",
    "",
  ].join("\r\n"),
);
const plain = (subject: string, day: number) =>
  Buffer.from(
    `From: Jane <${JANE}>\r\nTo: ${JOHN}\r\nSubject: ${subject}\r\nDate: 0${day} Jul 2018 10:00:00 +0000\r\n` +
      `Message-ID: <${subject.replaceAll(" ", ".")}@example.test>\r\n\r\n${subject}\r\n`,
  );

describe("RFC 8620 and RFC 8621 examples", () => {
  let server: TestServer;
  let john: JmapTestClient;
  let accountId: string;
  let imap: ImapFlow;
  const boxes = new Map<string, string>();
  const call = (calls: [string, Obj, string][]) =>
    john.call(calls, [CORE, MAIL, SUBMISSION]) as Promise<Response[]>;

  before(async () => {
    server = await startTestServer();
    await server.addUser(JOHN);
    await server.addUser(JANE);
    john = new JmapTestClient(`http://127.0.0.1:${server.port("http")}`, JOHN, TEST_PASSWORD);
    accountId = await john.accountId();
    imap = imapFlowClient(server.port("imap"), JOHN);
    await imap.connect();
    await imap.append("INBOX", partyMessage, [], new Date("2018-07-02T10:00:00Z"));
    await imap.append("INBOX", plain("music festival", 3), ["music"], new Date("2018-07-03T10:00:00Z"));
    await imap.append("INBOX", plain("video night", 4), ["video"], new Date("2018-07-04T10:00:00Z"));
    await imap.append("INBOX", plain("tax return", 5), [], new Date("2018-07-05T10:00:00Z"));
    const [mailboxes] = await call([["Mailbox/get", { accountId }, "0"]]);
    for (const box of (mailboxes as Response)[1].list as Obj[])
      boxes.set(box.role as string, box.id as string);
  });
  after(async () => {
    await imap.logout().catch(() => {});
    await server.stop();
  });

  it("RFC 8620 §4.1: Core/echo returns its arguments", async () => {
    const responses = await call([["Core/echo", { hello: true, high: 5 }, "b3ff"]]);
    assert.deepEqual(responses, [["Core/echo", { hello: true, high: 5 }, "b3ff"]]);
  });

  it("RFC 8620 §3.7: query, then emails, threads and the threads' emails by result references", async () => {
    const responses = await call([
      [
        "Email/query",
        {
          accountId,
          filter: { inMailbox: boxes.get("inbox") },
          sort: [{ property: "receivedAt", isAscending: false }],
          collapseThreads: true,
          position: 0,
          limit: 10,
          calculateTotal: true,
        },
        "t0",
      ],
      [
        "Email/get",
        {
          accountId,
          "#ids": { resultOf: "t0", name: "Email/query", path: "/ids" },
          properties: ["threadId"],
        },
        "t1",
      ],
      [
        "Thread/get",
        { accountId, "#ids": { resultOf: "t1", name: "Email/get", path: "/list/*/threadId" } },
        "t2",
      ],
      [
        "Email/get",
        {
          accountId,
          "#ids": { resultOf: "t2", name: "Thread/get", path: "/list/*/emailIds" },
          properties: ["from", "receivedAt", "subject"],
        },
        "t3",
      ],
    ]);
    assert.deepEqual(
      responses.map((r) => [r[0], r[2]]),
      [
        ["Email/query", "t0"],
        ["Email/get", "t1"],
        ["Thread/get", "t2"],
        ["Email/get", "t3"],
      ],
    );
    const [query, emails, threads, threadEmails] = responses.map((r) => r[1]) as [Obj, Obj, Obj, Obj];
    assert.deepEqual(Object.keys(query).sort(), [
      "accountId",
      "canCalculateChanges",
      "ids",
      "position",
      "queryState",
      "total",
    ]);
    assert.equal(query.position, 0);
    assert.equal(query.total, 4);
    assert.equal((query.ids as string[]).length, 4);
    assert.deepEqual(
      (emails.list as Obj[]).map((e) => Object.keys(e).sort()),
      [
        ["id", "threadId"],
        ["id", "threadId"],
        ["id", "threadId"],
        ["id", "threadId"],
      ],
    );
    assert.equal((threads.list as Obj[]).length, 4);
    assert.ok((threads.list as Obj[]).every((t) => Array.isArray(t.emailIds)));
    assert.deepEqual((threadEmails.list as Obj[]).map((e) => e.subject).sort(), [
      "Dinner on Thursday?",
      "music festival",
      "tax return",
      "video night",
    ]);
    assert.deepEqual((threadEmails.list as Obj[])[0]?.from, [{ name: "Jane", email: JANE }]);
  });

  it("RFC 8621 §4.5: Email/get with htmlBody and bodyValues cut at maxBodyValueBytes", async () => {
    const [query] = await call([["Email/query", { accountId, filter: { subject: "Dinner" } }, "q"]]);
    const id = ((query as Response)[1].ids as string[])[0] as string;
    const [response] = await call([
      [
        "Email/get",
        {
          accountId,
          ids: [id],
          properties: [
            "threadId",
            "mailboxIds",
            "from",
            "subject",
            "receivedAt",
            "header:List-POST:asURLs",
            "htmlBody",
            "bodyValues",
          ],
          bodyProperties: ["partId", "blobId", "size", "type"],
          fetchHTMLBodyValues: true,
          maxBodyValueBytes: 256,
        },
        "f",
      ],
    ]);
    assert.equal(response?.[0], "Email/get");
    const email = ((response as Response)[1].list as Obj[])[0] as Obj;
    assert.deepEqual(Object.keys(email).sort(), [
      "bodyValues",
      "from",
      "header:List-POST:asURLs",
      "htmlBody",
      "id",
      "mailboxIds",
      "receivedAt",
      "subject",
      "threadId",
    ]);
    assert.deepEqual(email.from, [{ name: "Jane", email: JANE }]);
    assert.equal(email.subject, "Dinner on Thursday?");
    assert.equal(email.receivedAt, "2018-07-02T10:00:00Z");
    assert.deepEqual(email.mailboxIds, { [boxes.get("inbox") as string]: true });
    assert.deepEqual(email["header:List-POST:asURLs"], ["mailto:partytime@lists.example.com"]);
    const [part] = email.htmlBody as Obj[];
    assert.deepEqual(Object.keys(part as Obj).sort(), ["blobId", "partId", "size", "type"]);
    assert.equal(part?.type, "text/html");
    const value = (email.bodyValues as Record<string, Obj>)[part?.partId as string] as Obj;
    assert.equal(value.isEncodingProblem, false);
    assert.equal(value.isTruncated, true);
    assert.ok(Buffer.byteLength(value.value as string) <= 256);
    assert.ok(html.startsWith(value.value as string));
  });

  it("RFC 8621 §4.4 and §4.10: Email/query with a filter tree and a sort", async () => {
    const [response] = await call([
      [
        "Email/query",
        {
          accountId,
          filter: {
            operator: "AND",
            conditions: [
              { inMailbox: boxes.get("inbox") },
              { operator: "OR", conditions: [{ hasKeyword: "music" }, { hasKeyword: "video" }] },
              { operator: "NOT", conditions: [{ text: "tax" }] },
            ],
          },
          sort: [
            { property: "sentAt", isAscending: false },
            { property: "subject", isAscending: true },
          ],
          position: 0,
          limit: 20,
          calculateTotal: true,
        },
        "0",
      ],
      [
        "Email/get",
        { accountId, "#ids": { resultOf: "0", name: "Email/query", path: "/ids" }, properties: ["subject"] },
        "1",
      ],
    ]);
    assert.equal(response?.[1].total, 2);
    assert.equal(response?.[1].canCalculateChanges !== undefined, true);
    const [, get] = await call([
      [
        "Email/query",
        {
          accountId,
          filter: { operator: "OR", conditions: [{ hasKeyword: "music" }, { hasKeyword: "video" }] },
          sort: [{ property: "sentAt", isAscending: false }],
        },
        "0",
      ],
      [
        "Email/get",
        { accountId, "#ids": { resultOf: "0", name: "Email/query", path: "/ids" }, properties: ["subject"] },
        "1",
      ],
    ]);
    assert.deepEqual(
      ((get as Response)[1].list as Obj[]).map((e) => e.subject),
      ["video night", "music festival"],
    );
  });

  it("RFC 8621 §2.6: Mailbox/changes after a new message reports the count properties only", async () => {
    const [get] = await call([["Mailbox/get", { accountId, ids: [] }, "0"]]);
    const sinceState = (get as Response)[1].state as string;
    await imap.append("INBOX", plain("another one", 6));
    const [response] = await call([["Mailbox/changes", { accountId, sinceState }, "0"]]);
    assert.equal(response?.[0], "Mailbox/changes");
    const changes = (response as Response)[1];
    assert.deepEqual(Object.keys(changes).sort(), [
      "accountId",
      "created",
      "destroyed",
      "hasMoreChanges",
      "newState",
      "oldState",
      "updated",
      "updatedProperties",
    ]);
    assert.equal(changes.oldState, sinceState);
    assert.notEqual(changes.newState, sinceState);
    assert.equal(changes.hasMoreChanges, false);
    assert.deepEqual(changes.created, []);
    assert.deepEqual(changes.updated, [boxes.get("inbox")]);
    assert.deepEqual(changes.destroyed, []);
    assert.deepEqual([...(changes.updatedProperties as string[])].sort(), [
      "totalEmails",
      "totalThreads",
      "unreadEmails",
      "unreadThreads",
    ]);
  });

  it("RFC 8621 §4.10: creating a draft with bodyStructure, a part header and sentAt in its offset", async () => {
    const [response] = await call([
      [
        "Email/set",
        {
          accountId,
          create: {
            k192: {
              mailboxIds: { [boxes.get("drafts") as string]: true },
              keywords: { $seen: true, $draft: true },
              from: [{ name: "Joe Bloggs", email: JOHN }],
              subject: "World domination",
              receivedAt: "2018-07-10T01:03:11Z",
              sentAt: "2018-07-10T11:03:11+10:00",
              bodyStructure: { type: "text/plain", partId: "bd48", "header:Content-Language": "en" },
              bodyValues: {
                bd48: {
                  value: "I have the most brilliant plan. Let me tell you all about it. What we do is, we",
                  isTruncated: false,
                },
              },
            },
          },
        },
        "0",
      ],
    ]);
    const created = ((response as Response)[1].created as Obj).k192 as Obj;
    assert.deepEqual(Object.keys(created).sort(), ["blobId", "id", "size", "threadId"]);
    const [get] = await call([
      [
        "Email/get",
        {
          accountId,
          ids: [created.id],
          properties: [
            "keywords",
            "sentAt",
            "receivedAt",
            "header:Date",
            "header:Content-Language:asText",
            "size",
          ],
        },
        "1",
      ],
    ]);
    const email = ((get as Response)[1].list as Obj[])[0] as Obj;
    assert.deepEqual(email.keywords, { $seen: true, $draft: true });
    assert.equal(email.sentAt, "2018-07-10T01:03:11Z");
    assert.equal(email.receivedAt, "2018-07-10T01:03:11Z");
    assert.equal(email["header:Date"], " Tue, 10 Jul 2018 11:03:11 +1000");
    assert.equal(email["header:Content-Language:asText"], "en");
    assert.equal(email.size, created.size);
  });

  it("RFC 8621 §7.5.1: EmailSubmission/set with an envelope and onSuccessUpdateEmail", async () => {
    const [identities] = await call([["Identity/get", { accountId }, "i"]]);
    const identityId = (((identities as Response)[1].list as Obj[])[0] as Obj).id as string;
    const drafts = boxes.get("drafts") as string;
    const sent = boxes.get("sent") as string;
    const [draft] = await call([
      [
        "Email/set",
        {
          accountId,
          create: {
            d: {
              mailboxIds: { [drafts]: true },
              keywords: { $draft: true },
              from: [{ name: "John", email: JOHN }],
              to: [{ name: "Jane", email: JANE }],
              subject: "Hello",
              bodyValues: { b: { value: "Hi Jane" } },
              textBody: [{ partId: "b" }],
            },
          },
        },
        "0",
      ],
    ]);
    const emailId = (((draft as Response)[1].created as Obj).d as Obj).id as string;
    const responses = await call([
      [
        "EmailSubmission/set",
        {
          accountId,
          create: {
            k1490: {
              identityId,
              emailId,
              envelope: {
                mailFrom: { email: JOHN, parameters: null },
                rcptTo: [{ email: JANE, parameters: null }],
              },
            },
          },
          onSuccessUpdateEmail: {
            "#k1490": {
              [`mailboxIds/${drafts}`]: null,
              [`mailboxIds/${sent}`]: true,
              "keywords/$draft": null,
            },
          },
        },
        "0",
      ],
    ]);
    assert.deepEqual(
      responses.map((r) => [r[0], r[2]]),
      [
        ["EmailSubmission/set", "0"],
        ["Email/set", "0"],
      ],
    );
    const [submissionSet, emailSet] = responses.map((r) => r[1]) as [Obj, Obj];
    assert.equal(submissionSet.accountId, accountId);
    assert.equal(typeof submissionSet.oldState, "string");
    assert.equal(typeof submissionSet.newState, "string");
    const created = (submissionSet.created as Obj).k1490 as Obj;
    assert.equal(typeof created.id, "string");
    assert.equal(emailSet.accountId, accountId);
    assert.equal(typeof emailSet.oldState, "string");
    assert.equal(typeof emailSet.newState, "string");
    assert.deepEqual(emailSet.updated, { [emailId]: null });
    const [get] = await call([
      ["Email/get", { accountId, ids: [emailId], properties: ["mailboxIds", "keywords"] }, "g"],
    ]);
    const email = ((get as Response)[1].list as Obj[])[0] as Obj;
    assert.deepEqual(email.mailboxIds, { [sent]: true });
    assert.deepEqual(email.keywords, {});
  });
});

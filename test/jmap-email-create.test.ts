// Email/set create over real HTTP (RFC 8621 §4.6): an Email object with text, HTML, an uploaded attachment
// and non-ASCII headers is written as a MIME message, stored through the append path (IMAP sees it, with
// \Draft for $draft), read back by Email/get and downloaded as bytes within the line limits; creation ids
// are referenced by later calls (a draft's create + destroy); bad objects get SetErrors naming the property.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { CORE, JmapTestClient, MAIL } from "./helpers/jmap-client.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";
type Obj = Record<string, unknown>;

describe("JMAP Email/set create", () => {
  let server: TestServer;
  let alice: JmapTestClient;
  let accountId: string;
  const mailboxes = new Map<string, string>();
  let imap: ImapFlow;

  const set = (args: Obj) => alice.one("Email/set", { accountId, ...args });
  const upload = async (body: Uint8Array | string, type: string): Promise<string> => {
    const res = await alice.fetch(`/jmap/upload/${accountId}/`, {
      method: "POST",
      body,
      headers: { "content-type": type },
    });
    assert.equal(res.status, 201);
    return ((await res.json()) as Obj).blobId as string;
  };
  const download = async (blobId: string): Promise<Buffer> => {
    const res = await alice.fetch(`/jmap/download/${accountId}/${blobId}/x`);
    assert.equal(res.status, 200);
    return Buffer.from(await res.arrayBuffer());
  };

  before(async () => {
    server = await startTestServer((c) => ({ ...c, limits: { ...c.limits, maxMessageBytes: 200_000 } }));
    await server.addUser(ALICE);
    alice = new JmapTestClient(`http://127.0.0.1:${server.port("http")}`, ALICE, TEST_PASSWORD);
    accountId = await alice.accountId();
    const boxes = await alice.one("Mailbox/get", { accountId, properties: ["name"] });
    for (const box of boxes.list as Obj[]) mailboxes.set(box.name as string, box.id as string);
    imap = imapFlowClient(server.port("imap"), ALICE);
    await imap.connect();
  });
  after(async () => {
    await imap.logout().catch(() => {});
    await server.stop();
  });

  it("writes text, HTML, an attachment and non-ASCII headers as MIME; Email/get and IMAP read them back", async () => {
    const attachment = Buffer.from([0, 1, 2, 255, 254, 13, 10, 0x80, 65]);
    const blobId = await upload(attachment, "application/x-test");
    const longLine = `${"Grüße ".repeat(300)}\nzweite Zeile`;
    const result = await set({
      create: {
        c1: {
          mailboxIds: { [mailboxes.get("Drafts") as string]: true },
          keywords: { $draft: true, $seen: true },
          from: [{ name: "Alice Müller", email: ALICE }],
          to: [
            { name: "Bob, the builder", email: "bob@example.test" },
            { name: null, email: "carol@example.test" },
          ],
          bcc: [{ email: "dave@example.test" }],
          replyTo: [{ name: "Alice", email: "alice+replies@example.test" }],
          subject: "Grüße aus Köln — ein sehr langer Betreff, der gefaltet werden muss, weil er so lang ist",
          sentAt: "2026-03-01T10:20:30+01:00",
          messageId: ["unique-1@example.test"],
          inReplyTo: ["parent@example.test"],
          references: ["root@example.test", "parent@example.test"],
          "header:X-Custom:asText": "Wert mit Ümlaut",
          "header:List-Post:asURLs": ["mailto:list@example.test"],
          bodyValues: {
            t: { value: longLine },
            h: { value: "<p>Grüße</p>" },
          },
          textBody: [{ partId: "t", type: "text/plain" }],
          htmlBody: [{ partId: "h", type: "text/html" }],
          attachments: [{ blobId, type: "application/x-test", name: "Übersicht.bin" }],
        },
      },
    });
    const created = (result.created as Obj).c1 as Obj;
    assert.ok(created, JSON.stringify(result.notCreated));
    assert.equal(typeof created.id, "string");
    assert.equal(typeof created.threadId, "string");

    const got = await alice.one("Email/get", {
      accountId,
      ids: [created.id],
      properties: [
        "subject",
        "from",
        "to",
        "bcc",
        "replyTo",
        "sentAt",
        "messageId",
        "inReplyTo",
        "references",
        "keywords",
        "mailboxIds",
        "textBody",
        "htmlBody",
        "attachments",
        "bodyValues",
        "header:X-Custom:asText",
        "header:List-Post:asURLs",
        "size",
      ],
      fetchAllBodyValues: true,
    });
    const email = (got.list as Obj[])[0] as Obj;
    assert.equal(
      email.subject,
      "Grüße aus Köln — ein sehr langer Betreff, der gefaltet werden muss, weil er so lang ist",
    );
    assert.deepEqual(email.from, [{ name: "Alice Müller", email: ALICE }]);
    assert.deepEqual(email.to, [
      { name: "Bob, the builder", email: "bob@example.test" },
      { name: null, email: "carol@example.test" },
    ]);
    assert.deepEqual(email.bcc, [{ name: null, email: "dave@example.test" }]);
    assert.equal(email.sentAt, "2026-03-01T09:20:30Z");
    assert.deepEqual(email.messageId, ["unique-1@example.test"]);
    assert.deepEqual(email.inReplyTo, ["parent@example.test"]);
    assert.deepEqual(email.references, ["root@example.test", "parent@example.test"]);
    assert.deepEqual(email.keywords, { $draft: true, $seen: true });
    assert.deepEqual(email.mailboxIds, { [mailboxes.get("Drafts") as string]: true });
    assert.equal(email["header:X-Custom:asText"], "Wert mit Ümlaut");
    assert.deepEqual(email["header:List-Post:asURLs"], ["mailto:list@example.test"]);
    const text = (email.textBody as Obj[])[0] as Obj;
    const html = (email.htmlBody as Obj[])[0] as Obj;
    const values = email.bodyValues as Record<string, Obj>;
    assert.equal(values[text.partId as string]?.value, longLine.replace("\n", "\r\n"));
    assert.equal(values[html.partId as string]?.value, "<p>Grüße</p>");
    const [file] = email.attachments as Obj[];
    assert.equal(file?.name, "Übersicht.bin");
    assert.equal(file?.type, "application/x-test");
    assert.deepEqual(await download(file?.blobId as string), attachment);

    const raw = await download(`B${created.id}`);
    assert.equal(raw.length, email.size);
    const lines = raw.toString("latin1").split("\r\n");
    assert.ok(
      lines.every((line) => line.length <= 998),
      "no line over 998 octets",
    );
    assert.ok(!/[^\r]\n/.test(raw.toString("latin1")), "only CRLF line ends");
    const head = raw.toString("latin1").slice(0, raw.indexOf("\r\n\r\n"));
    assert.ok(/^[\x00-\x7f]*$/.test(head), "the header is ASCII (encoded-words)");
    assert.match(head, /^MIME-Version: 1\.0$/m);
    assert.match(head, /^Content-Type: multipart\/mixed;/m);

    // IMAP sees the draft with \Draft and \Seen in Drafts.
    const lock = await imap.getMailboxLock("Drafts");
    try {
      const messages = [];
      for await (const message of imap.fetch("1:*", { flags: true, envelope: true })) messages.push(message);
      assert.equal(messages.length, 1);
      assert.ok(messages[0]?.flags?.has("\\Draft"));
      assert.ok(messages[0]?.flags?.has("\\Seen"));
      assert.equal(messages[0]?.envelope?.messageId, "<unique-1@example.test>");
    } finally {
      lock.release();
    }
  });

  it("builds a single text part, multipart/alternative, and a given bodyStructure", async () => {
    const inbox = mailboxes.get("INBOX") as string;
    const result = await set({
      create: {
        plain: {
          mailboxIds: { [inbox]: true },
          subject: "plain",
          bodyValues: { b: { value: "Just text.\n" } },
          textBody: [{ partId: "b" }],
        },
        alt: {
          mailboxIds: { [inbox]: true },
          subject: "alt",
          bodyValues: { t: { value: "text" }, h: { value: "<b>html</b>" } },
          textBody: [{ partId: "t" }],
          htmlBody: [{ partId: "h" }],
        },
        structure: {
          mailboxIds: { [inbox]: true },
          subject: "structure",
          bodyValues: { one: { value: "first" }, two: { value: "second" } },
          bodyStructure: {
            type: "multipart/mixed",
            subParts: [
              { partId: "one", type: "text/plain" },
              { partId: "two", type: "text/plain", disposition: "attachment", name: "two.txt" },
            ],
          },
        },
      },
    });
    const created = result.created as Record<string, Obj>;
    assert.deepEqual(Object.keys(created).sort(), ["alt", "plain", "structure"]);
    const got = await alice.one("Email/get", {
      accountId,
      ids: [created.plain?.id, created.alt?.id, created.structure?.id],
      properties: ["subject", "bodyStructure", "textBody", "attachments"],
      bodyProperties: ["type", "name", "disposition", "subParts"],
    });
    const bySubject = new Map((got.list as Obj[]).map((e) => [e.subject as string, e]));
    assert.equal(((bySubject.get("plain") as Obj).bodyStructure as Obj).type, "text/plain");
    const alt = (bySubject.get("alt") as Obj).bodyStructure as Obj;
    assert.equal(alt.type, "multipart/alternative");
    assert.deepEqual(
      (alt.subParts as Obj[]).map((p) => p.type),
      ["text/plain", "text/html"],
    );
    const structure = bySubject.get("structure") as Obj;
    assert.equal((structure.bodyStructure as Obj).type, "multipart/mixed");
    assert.deepEqual(
      (structure.attachments as Obj[]).map((p) => p.name),
      ["two.txt"],
    );
  });

  it("resolves creation ids in later calls: a draft autosave is create, then destroy of #creationId", async () => {
    const drafts = mailboxes.get("Drafts") as string;
    const res = await alice.post(
      JSON.stringify({
        using: [CORE, MAIL],
        methodCalls: [
          [
            "Email/set",
            {
              accountId,
              create: {
                d1: {
                  mailboxIds: { [drafts]: true },
                  keywords: { $draft: true },
                  subject: "autosave 1",
                  bodyValues: { b: { value: "draft" } },
                  textBody: [{ partId: "b" }],
                },
              },
            },
            "0",
          ],
          [
            "Email/set",
            {
              accountId,
              create: {
                d2: {
                  mailboxIds: { [drafts]: true },
                  keywords: { $draft: true },
                  subject: "autosave 2",
                  bodyValues: { b: { value: "draft, longer" } },
                  textBody: [{ partId: "b" }],
                },
              },
              destroy: ["#d1"],
            },
            "1",
          ],
        ],
        createdIds: {},
      }),
    );
    const body = (await res.json()) as Obj;
    const [first, second] = body.methodResponses as [[string, Obj, string], [string, Obj, string]];
    const d1 = ((first[1].created as Obj).d1 as Obj).id as string;
    const d2 = ((second[1].created as Obj).d2 as Obj).id as string;
    assert.deepEqual(second[1].destroyed, [d1], "the destroyed id is the email's id");
    assert.deepEqual(body.createdIds, { d1, d2 });
    const check = await alice.one("Email/get", { accountId, ids: [d1, d2], properties: ["subject"] });
    assert.deepEqual(check.notFound, [d1]);
    assert.deepEqual(
      (check.list as Obj[]).map((e) => e.subject),
      ["autosave 2"],
    );
  });

  it("refuses bad objects with SetErrors that name the property", async () => {
    const inbox = mailboxes.get("INBOX") as string;
    const base = {
      mailboxIds: { [inbox]: true },
      bodyValues: { b: { value: "x" } },
      textBody: [{ partId: "b" }],
    };
    const result = await set({
      create: {
        badFrom: { ...base, from: [{ name: "x", email: "not an address" }] },
        badSentAt: { ...base, sentAt: "yesterday" },
        serverSet: { ...base, id: "abc" },
        unknownProp: { ...base, color: "red" },
        noMailbox: { ...base, mailboxIds: {} },
        foreignMailbox: { ...base, mailboxIds: { Mnope: true } },
        badKeyword: { ...base, keywords: { "bad keyword": true } },
        twice: { ...base, subject: "a", "header:Subject:asText": "b" },
        contentHeader: { ...base, "header:Content-Type": " text/plain" },
        badForm: { ...base, "header:Subject:asAddresses": [] },
        missingValue: { ...base, textBody: [{ partId: "nope" }] },
        twoTexts: { ...base, textBody: [{ partId: "b" }, { partId: "b" }] },
        htmlAsText: {
          ...base,
          bodyValues: { b: { value: "x" } },
          textBody: [{ partId: "b", type: "text/html" }],
        },
        both: { ...base, bodyStructure: { partId: "b" } },
        missingBlob: { ...base, attachments: [{ blobId: "Unope", type: "image/png" }] },
        notAnObject: 42,
        rawNewline: { ...base, "header:X-Raw": " a\nb" },
      },
    });
    const notCreated = result.notCreated as Record<string, Obj>;
    const expect: Record<string, [string, string[] | undefined]> = {
      badFrom: ["invalidProperties", ["from"]],
      badSentAt: ["invalidProperties", ["sentAt"]],
      serverSet: ["invalidProperties", ["id"]],
      unknownProp: ["invalidProperties", ["color"]],
      noMailbox: ["invalidProperties", ["mailboxIds"]],
      foreignMailbox: ["invalidProperties", ["mailboxIds"]],
      badKeyword: ["invalidProperties", ["keywords"]],
      twice: ["invalidProperties", ["subject", "header:Subject:asText"]],
      contentHeader: ["invalidProperties", ["header:Content-Type"]],
      badForm: ["invalidProperties", ["header:Subject:asAddresses"]],
      missingValue: ["invalidProperties", ["textBody"]],
      twoTexts: ["invalidProperties", ["textBody"]],
      htmlAsText: ["invalidProperties", ["textBody"]],
      both: ["invalidProperties", ["textBody"]],
      missingBlob: ["blobNotFound", undefined],
      notAnObject: ["invalidProperties", [""]],
      rawNewline: ["invalidProperties", ["header:X-Raw"]],
    };
    assert.equal(result.created, null);
    for (const [id, [type, properties]] of Object.entries(expect)) {
      assert.equal(notCreated[id]?.type, type, `${id}: ${JSON.stringify(notCreated[id])}`);
      if (properties !== undefined) assert.deepEqual(notCreated[id]?.properties, properties, id);
    }
    assert.deepEqual(notCreated.missingBlob?.notFound, ["Unope"]);
  });

  it("answers tooLarge past the message size limit and overQuota past the account's quota", async () => {
    const inbox = mailboxes.get("INBOX") as string;
    const big = "x".repeat(250_000);
    const tooLarge = await set({
      create: {
        big: {
          mailboxIds: { [inbox]: true },
          bodyValues: { b: { value: big } },
          textBody: [{ partId: "b" }],
        },
      },
    });
    assert.equal(((tooLarge.notCreated as Obj).big as Obj).type, "tooLarge");

    const account = await server.server.services.users.require(ALICE);
    await server.server.services.store.accounts.setQuota(account.id, { storageBytes: 1, messages: null });
    try {
      const overQuota = await set({
        create: {
          q: {
            mailboxIds: { [inbox]: true },
            subject: "q",
            bodyValues: { b: { value: "q" } },
            textBody: [{ partId: "b" }],
          },
        },
      });
      assert.equal(((overQuota.notCreated as Obj).q as Obj).type, "overQuota");
    } finally {
      await server.server.services.store.accounts.setQuota(account.id, {
        storageBytes: null,
        messages: null,
      });
    }
  });
});

// Acceptance (issue 10), cross-protocol: IMAP APPEND → Email/query finds it; IMAP STORE → Email/changes
// shows it; Email/set moving a message → IMAP sessions in IDLE get EXPUNGE on the source and EXISTS on the
// destination; Email/set create → EXISTS in Drafts; EmailSubmission to a local user → EXISTS in that
// user's INBOX, where IMAP reads the message.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { CORE, JmapTestClient, MAIL } from "./helpers/jmap-client.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";
const BOB = "bob@example.test";
const SUBMISSION = "urn:ietf:params:jmap:submission";
type Obj = Record<string, unknown>;

/** Puts the client in IDLE; resolves with the first event of `name`, or rejects after 5 s. */
function nextEvent<T>(client: ImapFlow, name: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(name, listener);
      reject(new Error(`no ${name} event within 5000 ms`));
    }, 5000);
    const listener = (event: T) => {
      clearTimeout(timer);
      client.off(name, listener);
      resolve(event);
    };
    client.on(name, listener);
    void client.idle();
  });
}

describe("JMAP and IMAP on the same mailboxes", () => {
  let server: TestServer;
  let alice: JmapTestClient;
  let accountId: string;
  const clients: ImapFlow[] = [];
  const boxes = new Map<string, string>();

  const imap = async (user: string, mailbox: string): Promise<ImapFlow> => {
    const client = imapFlowClient(server.port("imap"), user);
    clients.push(client);
    await client.connect();
    await client.mailboxOpen(mailbox);
    return client;
  };
  const one = (name: string, args: Obj) => alice.one(name, { accountId, ...args });

  before(async () => {
    server = await startTestServer();
    await server.addUser(ALICE);
    await server.addUser(BOB);
    alice = new JmapTestClient(`http://127.0.0.1:${server.port("http")}`, ALICE, TEST_PASSWORD);
    accountId = await alice.accountId();
    for (const box of (await one("Mailbox/get", {})).list as Obj[])
      boxes.set(box.name as string, box.id as string);
  });
  after(async () => {
    for (const client of clients) await client.logout().catch(() => {});
    await server.stop();
  });

  it("IMAP APPEND → Email/query finds it; IMAP STORE → Email/changes shows it", async () => {
    const writer = await imap(ALICE, "INBOX");
    const { state } = await one("Email/get", { ids: [] });
    await writer.append(
      "INBOX",
      Buffer.from("From: carol@example.test\r\nSubject: appended over IMAP\r\n\r\nA zebra crossing.\r\n"),
    );
    const found = await one("Email/query", { filter: { body: "zebra" } });
    assert.equal((found.ids as string[]).length, 1);
    const id = (found.ids as string[])[0] as string;
    const afterAppend = await one("Email/changes", { sinceState: state });
    assert.deepEqual(afterAppend.created, [id]);

    await writer.messageFlagsAdd({ uid: "*" }, ["\\Flagged"], { uid: true });
    const afterStore = await one("Email/changes", { sinceState: afterAppend.newState });
    assert.deepEqual(afterStore.updated, [id]);
    const email = ((await one("Email/get", { ids: [id], properties: ["keywords"] })).list as Obj[])[0] as Obj;
    assert.deepEqual(email.keywords, { $flagged: true });
  });

  it("Email/set moves a message: IDLE on the source gets EXPUNGE, IDLE on the destination EXISTS", async () => {
    const source = await imap(ALICE, "INBOX");
    const destination = await imap(ALICE, "Archive");
    const id = ((await one("Email/query", { filter: { body: "zebra" } })).ids as string[])[0] as string;
    const expunge = nextEvent<{ seq: number }>(source, "expunge");
    const exists = nextEvent<{ count: number }>(destination, "exists");
    const result = await one("Email/set", {
      update: { [id]: { mailboxIds: { [boxes.get("Archive") as string]: true } } },
    });
    assert.deepEqual(result.updated, { [id]: null });
    assert.equal((await expunge).seq, 1);
    assert.equal((await exists).count, 1);
  });

  it("Email/set create → IDLE in Drafts gets EXISTS and reads the new draft", async () => {
    const drafts = await imap(ALICE, "Drafts");
    const exists = nextEvent<{ count: number }>(drafts, "exists");
    await one("Email/set", {
      create: {
        d: {
          mailboxIds: { [boxes.get("Drafts") as string]: true },
          keywords: { $draft: true },
          subject: "a draft",
          bodyValues: { b: { value: "unfinished" } },
          textBody: [{ partId: "b" }],
        },
      },
    });
    assert.equal((await exists).count, 1);
    const message = await drafts.fetchOne("1", { envelope: true, flags: true });
    assert.ok(message !== false);
    assert.equal(message.envelope?.subject, "a draft");
    assert.ok(message.flags?.has("\\Draft"));
  });

  it("EmailSubmission to a local user → IDLE in their INBOX gets EXISTS, IMAP reads the message", async () => {
    const bob = await imap(BOB, "INBOX");
    const exists = nextEvent<{ count: number }>(bob, "exists");
    const [identities] = await alice.call([["Identity/get", { accountId }, "i"]], [CORE, MAIL, SUBMISSION]);
    const identityId = ((identities as [string, Obj, string])[1].list as Obj[])[0]?.id as string;
    const responses = await alice.call(
      [
        [
          "Email/set",
          {
            accountId,
            create: {
              m: {
                mailboxIds: { [boxes.get("Drafts") as string]: true },
                from: [{ email: ALICE }],
                to: [{ email: BOB }],
                subject: "over JMAP, read over IMAP",
                bodyValues: { b: { value: "Hello Bob" } },
                textBody: [{ partId: "b" }],
              },
            },
          },
          "0",
        ],
        ["EmailSubmission/set", { accountId, create: { s: { identityId, emailId: "#m" } } }, "1"],
      ],
      [CORE, MAIL, SUBMISSION],
    );
    assert.ok(
      ((responses[1]?.[1].created as Obj | null)?.s as Obj | undefined)?.id,
      JSON.stringify(responses[1]),
    );
    assert.equal((await exists).count, 1);
    const message = await bob.fetchOne("1", { envelope: true, source: true });
    assert.ok(message !== false);
    assert.equal(message.envelope?.subject, "over JMAP, read over IMAP");
    assert.match(message.source?.toString("utf8") ?? "", /^Delivered-To: bob@example\.test$/m);
  });
});

// EmailSubmission over real HTTP (RFC 8621 §7), on SQLite and PostgreSQL: a webmail's send — Email/set
// creates the draft, EmailSubmission/set sends it by "#creationId" and onSuccessUpdateEmail moves it from
// Drafts to Sent (the implicit Email/set response follows) — reaches a local recipient's INBOX over IMAP
// without its Bcc field; /get, /changes and /query see the submission; refused senders and recipients
// get the RFC's SetErrors, and a refused submission delivers to nobody; a remote recipient is queued.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import { describeWithPostgres } from "../src/store/postgres/postgres-test-harness.js";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { CORE, JmapTestClient, MAIL } from "./helpers/jmap-client.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";
const BOB = "bob@example.test";
const SUBMISSION = "urn:ietf:params:jmap:submission";
const MAX_RECIPIENTS = 4;
type Obj = Record<string, unknown>;
type Response = [string, Obj, string];
const argsOf = (response: Response | undefined): Obj => (response as Response)[1];

function describeSubmission(store: "sqlite" | "postgres"): void {
  describe(`JMAP EmailSubmission (${store})`, () => {
    let server: TestServer;
    let alice: JmapTestClient;
    let accountId: string;
    let identityId: string;
    const mailboxes = new Map<string, string>();

    const call = (calls: [string, Obj, string][]) => alice.call(calls, [CORE, MAIL, SUBMISSION]);
    const bobInbox = async (): Promise<string[]> => {
      const imap: ImapFlow = imapFlowClient(server.port("imap"), BOB);
      await imap.connect();
      try {
        const lock = await imap.getMailboxLock("INBOX");
        try {
          const raws: string[] = [];
          if ((imap.mailbox as { exists: number }).exists === 0) return raws;
          for await (const message of imap.fetch("1:*", { source: true })) {
            raws.push(message.source?.toString("utf8") ?? "");
          }
          return raws;
        } finally {
          lock.release();
        }
      } finally {
        await imap.logout();
      }
    };
    const draft = (overrides: Obj = {}): Obj => ({
      mailboxIds: { [mailboxes.get("Drafts") as string]: true },
      keywords: { $draft: true },
      from: [{ name: "Alice", email: ALICE }],
      to: [{ name: "Bob", email: BOB }],
      subject: "Lunch?",
      bodyValues: { b: { value: "Shall we have lunch tomorrow?" } },
      textBody: [{ partId: "b" }],
      ...overrides,
    });

    before(async () => {
      // A small [limits] max_recipients, to see the submission limit follow it.
      server = await startTestServer(
        (c) => ({ ...c, limits: { ...c.limits, maxRecipients: MAX_RECIPIENTS } }),
        {
          store,
        },
      );
      await server.addUser(ALICE);
      await server.addUser(BOB);
      alice = new JmapTestClient(`http://127.0.0.1:${server.port("http")}`, ALICE, TEST_PASSWORD);
      accountId = await alice.accountId();
      const boxes = await alice.one("Mailbox/get", { accountId, properties: ["name"] });
      for (const box of boxes.list as Obj[]) mailboxes.set(box.name as string, box.id as string);
      const [identities] = await call([["Identity/get", { accountId }, "i"]]);
      identityId = ((argsOf(identities).list as Obj[])[0] as Obj).id as string;
    });
    after(async () => {
      await server.stop();
    });

    it("advertises EmailSubmission with no delayed send", async () => {
      const session = await alice.session();
      const account = (session.accounts as Record<string, Obj>)[accountId] as Obj;
      assert.deepEqual((account.accountCapabilities as Obj)[SUBMISSION], {
        maxDelayedSend: 0,
        submissionExtensions: {},
      });
    });

    it("sends a draft by #creationId to a local user and moves it to Sent (RFC 8621 §7.5 example)", async () => {
      const [getState] = await call([["EmailSubmission/get", { accountId, ids: [] }, "g"]]);
      const stateBefore = argsOf(getState).state as string;
      const drafts = mailboxes.get("Drafts") as string;
      const sent = mailboxes.get("Sent") as string;
      const responses = (await call([
        ["Email/set", { accountId, create: { draft: draft({ bcc: [{ email: BOB }] }) } }, "0"],
        [
          "EmailSubmission/set",
          {
            accountId,
            create: { k1490: { identityId, emailId: "#draft" } },
            onSuccessUpdateEmail: {
              "#k1490": {
                [`mailboxIds/${drafts}`]: null,
                [`mailboxIds/${sent}`]: true,
                "keywords/$draft": null,
                "keywords/$seen": true,
              },
            },
          },
          "1",
        ],
      ])) as Response[];
      assert.deepEqual(
        responses.map((r) => [r[0], r[2]]),
        [
          ["Email/set", "0"],
          ["EmailSubmission/set", "1"],
          ["Email/set", "1"],
        ],
        "the implicit Email/set follows with the same call id",
      );
      const emailId = (((responses[0] as Response)[1].created as Obj).draft as Obj).id as string;
      const submissionSet = (responses[1] as Response)[1];
      const created = (submissionSet.created as Obj).k1490 as Obj;
      assert.ok(created, JSON.stringify(submissionSet.notCreated));
      assert.equal(created.undoStatus, "final");
      assert.deepEqual(created.deliveryStatus, {
        [BOB]: { smtpReply: "250 2.1.5 Delivered", delivered: "yes", displayed: "unknown" },
      });
      assert.deepEqual(created.envelope, {
        mailFrom: { email: ALICE, parameters: null },
        rcptTo: [{ email: BOB, parameters: null }],
      });
      assert.equal(submissionSet.oldState, stateBefore);
      assert.notEqual(submissionSet.newState, stateBefore);
      assert.deepEqual((responses[2] as Response)[1].updated, { [emailId]: null });

      const [email] = (
        await alice.one("Email/get", { accountId, ids: [emailId], properties: ["mailboxIds", "keywords"] })
      ).list as Obj[];
      assert.deepEqual(email?.mailboxIds, { [sent]: true });
      assert.deepEqual(email?.keywords, { $seen: true });

      const inbox = await bobInbox();
      assert.equal(inbox.length, 1);
      assert.match(inbox[0] as string, /^Subject: Lunch\?$/m);
      assert.match(inbox[0] as string, /^Received: from jmap \(\[127\.0\.0\.1\]\)/m);
      assert.doesNotMatch(inbox[0] as string, /^Bcc:/im, "recipients do not see Bcc");

      // /get, /changes and /query see the submission.
      const submissionId = created.id as string;
      const [got, changes, query] = (await call([
        ["EmailSubmission/get", { accountId, ids: [submissionId, "Snope"] }, "g"],
        ["EmailSubmission/changes", { accountId, sinceState: stateBefore }, "c"],
        ["EmailSubmission/query", { accountId, filter: { emailIds: [emailId] }, calculateTotal: true }, "q"],
      ])) as Response[];
      const stored = (argsOf(got).list as Obj[])[0] as Obj;
      assert.equal(stored.emailId, emailId);
      assert.equal(stored.identityId, identityId);
      assert.equal(stored.undoStatus, "final");
      assert.deepEqual(argsOf(got).notFound, ["Snope"]);
      assert.deepEqual(argsOf(changes).created, [submissionId]);
      assert.deepEqual(argsOf(changes).updated, []);
      assert.equal(argsOf(changes).newState, submissionSet.newState);
      assert.deepEqual(argsOf(query).ids, [submissionId]);
      assert.equal(argsOf(query).total, 1);
    });

    it("queues a non-local recipient (deliveryStatus queued) and delivers the local one at once", async () => {
      const before = (await bobInbox()).length;
      const responses = (await call([
        [
          "Email/set",
          {
            accountId,
            create: { d: draft({ to: [{ email: BOB }, { email: "zoe@elsewhere.example" }] }) },
          },
          "0",
        ],
        ["EmailSubmission/set", { accountId, create: { s: { identityId, emailId: "#d" } } }, "1"],
      ])) as Response[];
      const created = ((responses[1] as Response)[1].created as Obj).s as Obj;
      const status = created.deliveryStatus as Record<string, Obj>;
      assert.equal(status[BOB]?.delivered, "yes");
      assert.equal(status["zoe@elsewhere.example"]?.delivered, "queued");
      assert.equal((await bobInbox()).length, before + 1, "bob got it at once");
      const queued = await server.server.services.store.outbound.list();
      assert.ok(queued.some((r) => r.recipient === "zoe@elsewhere.example" && r.submissionId === created.id));
    });

    it("answers the RFC's SetErrors for bad senders, recipients and references", async () => {
      const [createDrafts] = (await call([
        [
          "Email/set",
          {
            accountId,
            create: {
              unknownRcpt: draft({ to: [{ email: "nobody@example.test" }] }),
              foreignFrom: draft({ from: [{ email: BOB }] }),
              noRcpt: draft({ to: null }),
              noFrom: draft({ from: null }),
              ok: draft(),
            },
          },
          "0",
        ],
      ])) as Response[];
      const ids = Object.fromEntries(
        Object.entries(argsOf(createDrafts).created as Record<string, Obj>).map(([k, v]) => [
          k,
          v.id as string,
        ]),
      );
      const [result] = (await call([
        [
          "EmailSubmission/set",
          {
            accountId,
            create: {
              unknownRcpt: { identityId, emailId: ids.unknownRcpt },
              foreignFrom: { identityId, emailId: ids.foreignFrom },
              noRcpt: { identityId, emailId: ids.noRcpt },
              noFrom: { identityId, emailId: ids.noFrom },
              foreignMailFrom: {
                identityId,
                emailId: ids.ok,
                envelope: { mailFrom: { email: BOB }, rcptTo: [{ email: BOB }] },
              },
              badEnvelope: {
                identityId,
                emailId: ids.ok,
                envelope: { mailFrom: { email: "x" }, rcptTo: [] },
              },
              unknownIdentity: { identityId: "Inope", emailId: ids.ok },
              unknownEmail: { identityId, emailId: "Enope" },
              unknownCreationId: { identityId, emailId: "#nope" },
              serverSet: { identityId, emailId: ids.ok, deliveryStatus: {} },
            },
          },
          "1",
        ],
      ])) as Response[];
      const notCreated = argsOf(result).notCreated as Record<string, Obj>;
      assert.equal(argsOf(result).created, null);
      const expect: Record<string, string> = {
        unknownRcpt: "invalidRecipients",
        foreignFrom: "forbiddenFrom",
        noRcpt: "noRecipients",
        noFrom: "invalidEmail",
        foreignMailFrom: "forbiddenMailFrom",
        badEnvelope: "invalidProperties",
        unknownIdentity: "invalidProperties",
        unknownEmail: "invalidProperties",
        unknownCreationId: "invalidProperties",
        serverSet: "invalidProperties",
      };
      for (const [id, type] of Object.entries(expect)) {
        assert.equal(notCreated[id]?.type, type, `${id}: ${JSON.stringify(notCreated[id])}`);
      }
      assert.deepEqual(notCreated.unknownRcpt?.invalidRecipients, ["nobody@example.test"]);
      assert.deepEqual(notCreated.unknownIdentity?.properties, ["identityId"]);
      assert.deepEqual(notCreated.unknownEmail?.properties, ["emailId"]);
    });

    it("cannot unsend; destroying a submission forgets it and /changes says so", async () => {
      const [list] = (await call([["EmailSubmission/get", { accountId }, "g"]])) as Response[];
      const id = ((argsOf(list).list as Obj[])[0] as Obj).id as string;
      const stateBefore = argsOf(list).state as string;
      const [update] = (await call([
        ["EmailSubmission/set", { accountId, update: { [id]: { undoStatus: "canceled" } } }, "u"],
      ])) as Response[];
      assert.equal(((argsOf(update).notUpdated as Obj)[id] as Obj).type, "cannotUnsend");
      const [destroy, changes] = (await call([
        ["EmailSubmission/set", { accountId, destroy: [id, "Snope"] }, "d"],
        ["EmailSubmission/changes", { accountId, sinceState: stateBefore }, "c"],
      ])) as Response[];
      assert.deepEqual(argsOf(destroy).destroyed, [id]);
      assert.equal(((argsOf(destroy).notDestroyed as Obj).Snope as Obj).type, "notFound");
      assert.deepEqual(argsOf(changes).destroyed, [id]);
      const [stale] = (await call([
        ["EmailSubmission/set", { accountId, ifInState: stateBefore, destroy: [] }, "s"],
      ])) as Response[];
      assert.deepEqual([stale?.[0], argsOf(stale).type], ["error", "stateMismatch"]);
    });

    it("refuses more envelope recipients than [limits] max_recipients with tooManyRecipients", async () => {
      const many = Array.from({ length: MAX_RECIPIENTS + 1 }, (_, i) => ({ email: `r${i}@example.test` }));
      const responses = (await call([
        ["Email/set", { accountId, create: { d: draft({ to: many }) } }, "0"],
        ["EmailSubmission/set", { accountId, create: { s: { identityId, emailId: "#d" } } }, "1"],
      ])) as Response[];
      const error = ((responses[1] as Response)[1].notCreated as Obj).s as Obj;
      assert.equal(error.type, "tooManyRecipients");
      assert.equal(error.maxRecipients, MAX_RECIPIENTS);
    });

    it("needs the submission capability in using", async () => {
      const [response] = await alice.call([["EmailSubmission/get", { accountId }, "x"]]);
      assert.deepEqual([response?.[0], argsOf(response).type], ["error", "unknownMethod"]);
    });
  });
}

describeSubmission("sqlite");
await describeWithPostgres(() => describeSubmission("postgres"));

// JMAP Identity/set and Identity/changes over real HTTP (RFC 8621 §6.2, §6.3): a created identity for an
// alias the account owns (and forbiddenFrom for one it does not), settings of the account's own identity,
// destroy of created ones only, exact created/updated/destroyed in /changes, an alias added or removed
// through the admin use case reported as an identity created or destroyed (and pushed), cannotCalculateChanges
// after an address change nothing recorded, and an EmailSubmission sent from the alias identity; on both
// store backends.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DomainAdmin } from "../src/admin/domain-admin.js";
import { identityIdOf } from "../src/mail/address-changes.js";
import { describeWithPostgres } from "../src/store/postgres/postgres-test-harness.js";
import { EventSourceReader } from "./helpers/event-source-reader.js";
import { CORE, JmapTestClient, MAIL } from "./helpers/jmap-client.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";
const BOB = "bob@example.test";
const ALIAS = "sales@example.test";
const SUBMISSION = "urn:ietf:params:jmap:submission";
type Obj = Record<string, unknown>;
type Response = [string, Obj, string];

function describeIdentities(store: "sqlite" | "postgres"): void {
  describe(`JMAP Identity/set and Identity/changes (${store})`, () => {
    let server: TestServer;
    let alice: JmapTestClient;
    let accountId: string;

    const call = async (name: string, args: Obj): Promise<Obj> => {
      const [response] = (await alice.call(
        [[name, { accountId, ...args }, "0"]],
        [CORE, MAIL, SUBMISSION],
      )) as Response[];
      assert.equal(response?.[0], name, JSON.stringify(response));
      return (response as Response)[1];
    };

    before(async () => {
      server = await startTestServer(undefined, { store });
      await server.addUser(ALICE);
      await server.addUser(BOB);
      await server.server.services.store.domains.addAliasTarget(ALIAS, ALICE);
      alice = new JmapTestClient(`http://127.0.0.1:${server.port("http")}`, ALICE, TEST_PASSWORD);
      accountId = await alice.accountId();
    });
    after(async () => server.stop());

    it("creates, updates and destroys identities; /changes reports each exactly", async () => {
      const start = await call("Identity/get", {});
      const own = (start.list as Obj[]).find((i) => i.email === ALICE) as Obj;
      const set = await call("Identity/set", {
        ifInState: start.state,
        create: {
          sales: {
            email: ALIAS,
            name: "Alice at Sales",
            replyTo: [{ name: "Sales", email: ALIAS }],
            textSignature: "-- \nSales",
          },
          foreign: { email: "ceo@example.test" },
          noEmail: { name: "x" },
          serverSet: { email: ALICE, mayDelete: false },
          badReplyTo: { email: ALICE, replyTo: [{ email: "not an address" }] },
        },
        update: {
          [own.id as string]: { name: "Alice Liddell", htmlSignature: "<p>Alice</p>" },
        },
      });
      assert.equal(set.oldState, start.state);
      const salesId = ((set.created as Obj).sales as Obj).id as string;
      assert.equal(((set.created as Obj).sales as Obj).mayDelete, true);
      const notCreated = set.notCreated as Record<string, Obj>;
      assert.equal(notCreated.foreign?.type, "forbiddenFrom");
      assert.deepEqual(notCreated.noEmail?.properties, ["email"]);
      assert.deepEqual(notCreated.serverSet?.properties, ["mayDelete"]);
      assert.deepEqual(notCreated.badReplyTo?.properties, ["replyTo"]);
      assert.deepEqual(set.updated, { [own.id as string]: null });

      const after = await call("Identity/get", { ids: [own.id, salesId] });
      const [mine, sales] = after.list as Obj[];
      assert.equal(after.state, set.newState);
      assert.deepEqual(mine, {
        id: own.id,
        name: "Alice Liddell",
        email: ALICE,
        replyTo: null,
        bcc: null,
        textSignature: "",
        htmlSignature: "<p>Alice</p>",
        mayDelete: false,
      });
      assert.equal(sales?.email, ALIAS);
      assert.equal(sales?.name, "Alice at Sales");
      assert.deepEqual(sales?.replyTo, [{ name: "Sales", email: ALIAS }]);
      assert.equal(sales?.textSignature, "-- \nSales");

      const changes = await call("Identity/changes", { sinceState: start.state });
      assert.deepEqual(changes.created, [salesId]);
      assert.deepEqual(changes.updated, [own.id]);
      assert.deepEqual(changes.destroyed, []);
      assert.equal(changes.newState, set.newState);
      const paged = await call("Identity/changes", { sinceState: start.state, maxChanges: 1 });
      assert.equal(paged.hasMoreChanges, true);
      const rest = await call("Identity/changes", { sinceState: paged.newState });
      assert.equal(rest.hasMoreChanges, false);
      assert.deepEqual([...(paged.created as string[]), ...(rest.created as string[])], [salesId]);

      const bad = await call("Identity/set", {
        update: { [salesId]: { email: ALICE }, Inope: { name: "x" }, [own.id as string]: { bcc: "x" } },
        destroy: [own.id, "Jnope"],
      });
      assert.deepEqual((bad.notUpdated as Record<string, Obj>)[salesId]?.properties, ["email"]);
      assert.equal((bad.notUpdated as Record<string, Obj>).Inope?.type, "notFound");
      assert.deepEqual((bad.notUpdated as Record<string, Obj>)[own.id as string]?.properties, ["bcc"]);
      assert.equal((bad.notDestroyed as Record<string, Obj>)[own.id as string]?.type, "forbidden");
      assert.equal((bad.notDestroyed as Record<string, Obj>).Jnope?.type, "notFound");

      const destroy = await call("Identity/set", { destroy: [salesId] });
      assert.deepEqual(destroy.destroyed, [salesId]);
      const afterDestroy = await call("Identity/changes", { sinceState: set.newState });
      assert.deepEqual(afterDestroy.destroyed, [salesId]);
      assert.deepEqual(afterDestroy.created, []);
      const createdAndGone = await call("Identity/changes", { sinceState: start.state });
      assert.deepEqual(createdAndGone.created, [], "created and destroyed since: not reported");
      assert.deepEqual(createdAndGone.destroyed, []);
    });

    it("sends from an alias identity; a new alias makes older states cannotCalculateChanges", async () => {
      const { list, state } = await call("Identity/get", {});
      const alias = (list as Obj[]).find((i) => i.email === ALIAS) as Obj;
      const boxes = await call("Mailbox/get", { properties: ["name"] });
      const drafts = ((boxes.list as Obj[]).find((b) => b.name === "Drafts") as Obj).id as string;
      const responses = (await alice.call(
        [
          [
            "Email/set",
            {
              accountId,
              create: {
                m: {
                  mailboxIds: { [drafts]: true },
                  from: [{ email: ALIAS }],
                  to: [{ email: BOB }],
                  subject: "from sales",
                  bodyValues: { b: { value: "hi" } },
                  textBody: [{ partId: "b" }],
                },
              },
            },
            "0",
          ],
          ["EmailSubmission/set", { accountId, create: { s: { identityId: alias.id, emailId: "#m" } } }, "1"],
        ],
        [CORE, MAIL, SUBMISSION],
      )) as Response[];
      const submission = ((responses[1] as Response)[1].created as Obj).s as Obj;
      assert.ok(submission, JSON.stringify((responses[1] as Response)[1].notCreated));
      assert.deepEqual((submission.envelope as Obj).mailFrom, { email: ALIAS, parameters: null });

      await server.server.services.store.domains.addAliasTarget("support@example.test", ALICE);
      const [error] = (await alice.call(
        [["Identity/changes", { accountId, sinceState: state }, "0"]],
        [CORE, MAIL, SUBMISSION],
      )) as Response[];
      assert.deepEqual([error?.[0], error?.[1].type], ["error", "cannotCalculateChanges"]);
    });

    it("an alias added or removed by the admin use case (the CLI's) is an Identity created or destroyed, pushed", async () => {
      const admin = new DomainAdmin(server.server.services.store);
      const HELP = "help@example.test";
      const helpId = identityIdOf(HELP);
      const stateOf = async () => (await call("Identity/get", { ids: [] })).state as string;
      const stream = await EventSourceReader.open(
        `${alice.baseUrl}/jmap/eventsource?types=Identity&closeafter=no&ping=0`,
        alice.authorization,
      );
      // Events may merge or split; read until one announces the state Identity/get answers.
      const pushedState = async (wanted: string) => {
        for (;;) {
          const changed = (JSON.parse((await stream.next()).data) as { changed: Record<string, Obj> })
            .changed;
          if ((changed[accountId] as Obj | undefined)?.Identity === wanted) return wanted;
        }
      };
      try {
        const before = await stateOf();
        await admin.addAlias(HELP, [ALICE]);
        const added = await stateOf();
        assert.notEqual(added, before);
        assert.equal(await pushedState(added), added, "EventSource announces the new Identity state");
        const created = await call("Identity/changes", { sinceState: before });
        assert.deepEqual([created.created, created.updated, created.destroyed], [[helpId], [], []]);
        assert.equal(created.newState, added);
        const list = (await call("Identity/get", { ids: [helpId] })).list as Obj[];
        assert.equal(list[0]?.email, HELP);

        await admin.removeAlias(HELP);
        const removed = await stateOf();
        assert.equal(await pushedState(removed), removed);
        const destroyed = await call("Identity/changes", { sinceState: added });
        assert.deepEqual([destroyed.created, destroyed.updated, destroyed.destroyed], [[], [], [helpId]]);
        assert.deepEqual((await call("Identity/get", { ids: [helpId] })).notFound, [helpId]);
      } finally {
        stream.close();
      }
    });
  });
}

describeIdentities("sqlite");
await describeWithPostgres(() => describeIdentities("postgres"));

// JMAP Identity/get, VacationResponse/get+set and SearchSnippet/get over real HTTP (RFC 8621 §5, §6, §8):
// identities follow the account and its aliases, the vacation object round-trips and refuses bad
// input, snippets mark what Email/query searched for in mail delivered by LMTP.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import nodemailer from "nodemailer";
import { CORE, JmapTestClient, MAIL } from "./helpers/jmap-client.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";
const SUBMISSION = "urn:ietf:params:jmap:submission";
const VACATION = "urn:ietf:params:jmap:vacationresponse";

type Obj = Record<string, unknown>;

describe("JMAP Identity, VacationResponse and SearchSnippet", () => {
  let server: TestServer;
  let alice: JmapTestClient;
  let accountId: string;

  const call = async (name: string, args: Obj, using = [CORE, MAIL, SUBMISSION, VACATION]): Promise<Obj> => {
    const [response] = await alice.call([[name, { accountId, ...args }, "c"]], using);
    assert.ok(response !== undefined);
    assert.equal(response[0], name, JSON.stringify(response));
    return response[1];
  };
  const callError = async (
    name: string,
    args: Obj,
    using = [CORE, MAIL, SUBMISSION, VACATION],
  ): Promise<Obj> => {
    const [response] = await alice.call([[name, { accountId, ...args }, "c"]], using);
    assert.equal(response?.[0], "error", JSON.stringify(response));
    return response?.[1] as Obj;
  };

  before(async () => {
    server = await startTestServer();
    await server.addUser(ALICE);
    await server.addUser("bob@example.test");
    alice = new JmapTestClient(`http://127.0.0.1:${server.port("http")}`, ALICE, TEST_PASSWORD);
    accountId = await alice.accountId();
    const lmtp = nodemailer.createTransport({
      host: "127.0.0.1",
      port: server.port("lmtp"),
      lmtp: true,
      ignoreTLS: true,
    });
    const send = (subject: string, body: string) =>
      lmtp.sendMail({
        envelope: { from: "carol@example.test", to: [ALICE] },
        raw: `From: Carol <carol@example.test>\r\nTo: ${ALICE}\r\nSubject: ${subject}\r\n\r\n${body}\r\n`,
      });
    await send("Budget <draft> for 2025", "Please review the budget before Friday & reply.");
    await send(
      "Lunch",
      `${"Filler words about nothing in particular. ".repeat(20)}The secret is kumquat here.`,
    );
  });
  after(async () => server.stop());

  it("advertises the submission and vacationresponse capabilities", async () => {
    const session = await alice.session();
    const capabilities = session.capabilities as Obj;
    assert.ok(SUBMISSION in capabilities && VACATION in capabilities);
    assert.equal((session.primaryAccounts as Obj)[VACATION], accountId);
  });

  it("Identity/get lists the account address and its aliases", async () => {
    const first = await call("Identity/get", { ids: null });
    assert.deepEqual(
      (first.list as Obj[]).map((i) => i.email),
      [ALICE],
    );
    const identity = (first.list as Obj[])[0] as Obj;
    assert.equal(identity.mayDelete, false);
    assert.equal(identity.replyTo, null);
    await server.server.services.store.domains.addAliasTarget("sales@example.test", ALICE);
    await server.server.services.store.domains.addAliasTarget("bobs@example.test", "bob@example.test");
    const second = await call("Identity/get", {});
    assert.deepEqual(((second.list as Obj[]).map((i) => i.email) as string[]).sort(), [
      ALICE,
      "sales@example.test",
    ]);
    assert.notEqual(second.state, first.state);
    const byId = await call("Identity/get", { ids: [identity.id, "Inope"], properties: ["email"] });
    assert.deepEqual(byId.list, [{ id: identity.id, email: ALICE }]);
    assert.deepEqual(byId.notFound, ["Inope"]);
    // Without the submission capability in `using`, the method does not exist for the request.
    assert.equal((await callError("Identity/get", {}, [CORE, MAIL])).type, "unknownMethod");
  });

  it("VacationResponse round-trips through /set and /get", async () => {
    const initial = await call("VacationResponse/get", { ids: null });
    assert.deepEqual(initial.list, [
      {
        id: "singleton",
        isEnabled: false,
        fromDate: null,
        toDate: null,
        subject: null,
        textBody: null,
        htmlBody: null,
      },
    ]);
    const set = await call("VacationResponse/set", {
      ifInState: initial.state,
      update: {
        singleton: {
          isEnabled: true,
          fromDate: "2025-07-01T00:00:00Z",
          toDate: "2025-07-15T00:00:00Z",
          subject: "Away — back mid-July",
          textBody: "I am away.",
        },
      },
    });
    assert.deepEqual(set.updated, { singleton: null });
    assert.equal(set.oldState, initial.state);
    assert.notEqual(set.newState, initial.state);
    const after = await call("VacationResponse/get", {});
    assert.equal(after.state, set.newState);
    assert.deepEqual(after.list, [
      {
        id: "singleton",
        isEnabled: true,
        fromDate: "2025-07-01T00:00:00Z",
        toDate: "2025-07-15T00:00:00Z",
        subject: "Away — back mid-July",
        textBody: "I am away.",
        htmlBody: null,
      },
    ]);
    // Another account sees its own (default) object.
    const bob = new JmapTestClient(alice.baseUrl, "bob@example.test", TEST_PASSWORD);
    const bobAccount = await bob.accountId();
    const [bobGet] = await bob.call(
      [["VacationResponse/get", { accountId: bobAccount }, "b"]],
      [CORE, VACATION],
    );
    assert.equal(((bobGet as [string, Obj, string])[1].list as Obj[])[0]?.isEnabled, false);
  });

  it("VacationResponse/set refuses what RFC 8621 §8 does not allow", async () => {
    const state = (await call("VacationResponse/get", {})).state;
    const set = await call("VacationResponse/set", {
      create: { x: { isEnabled: true } },
      update: {
        singleton: { isEnabled: "yes", fromDate: "tomorrow", colour: "red" },
        other: { isEnabled: true },
      },
      destroy: ["singleton"],
    });
    assert.equal((set.notCreated as Obj).x && ((set.notCreated as Obj).x as Obj).type, "singleton");
    assert.equal(((set.notDestroyed as Obj).singleton as Obj).type, "singleton");
    const notUpdated = set.notUpdated as Record<string, Obj>;
    assert.equal(notUpdated.singleton?.type, "invalidProperties");
    assert.deepEqual([...((notUpdated.singleton as Obj).properties as string[])].sort(), [
      "colour",
      "fromDate",
      "isEnabled",
    ]);
    assert.equal(notUpdated.other?.type, "notFound");
    assert.equal(set.newState, state, "nothing was written");
    const tooLarge = await call("VacationResponse/set", {
      update: { singleton: { textBody: "x".repeat(70_000) } },
    });
    assert.equal(((tooLarge.notUpdated as Obj).singleton as Obj).type, "tooLarge");
    assert.equal((await callError("VacationResponse/set", { ifInState: "vnope" })).type, "stateMismatch");
    assert.equal((await callError("VacationResponse/get", { accountId: "Anope" })).type, "accountNotFound");
  });

  it("SearchSnippet/get marks subject and preview matches, HTML-escaped", async () => {
    const query = await call("Email/query", { filter: { text: "budget" } });
    const ids = query.ids as string[];
    assert.equal(ids.length, 1);
    const snippets = await call("SearchSnippet/get", {
      filter: { text: "budget" },
      emailIds: [...ids, "Mnope"],
    });
    assert.deepEqual(snippets.list, [
      {
        emailId: ids[0],
        subject: "<mark>Budget</mark> &lt;draft&gt; for 2025",
        preview: "Please review the <mark>budget</mark> before Friday &amp; reply.",
      },
    ]);
    assert.deepEqual(snippets.notFound, ["Mnope"]);
  });

  it("SearchSnippet/get finds a match past the preview and gives null where nothing matched", async () => {
    const ids = (await call("Email/query", { filter: { body: "kumquat" } })).ids as string[];
    assert.equal(ids.length, 1);
    const [snippet] = (await call("SearchSnippet/get", { filter: { body: "kumquat" }, emailIds: ids }))
      .list as Obj[];
    assert.equal(snippet?.subject, null, "a body condition marks no subject");
    assert.match(snippet?.preview as string, /The secret is <mark>kumquat<\/mark> here\./);
    const negated = await call("SearchSnippet/get", {
      filter: { operator: "NOT", conditions: [{ text: "Lunch" }] },
      emailIds: ids,
    });
    assert.deepEqual(negated.list, [{ emailId: ids[0], subject: null, preview: null }]);
    assert.equal(
      (await callError("SearchSnippet/get", { filter: { operator: "XOR", conditions: [] }, emailIds: ids }))
        .type,
      "unsupportedFilter",
    );
    assert.equal((await callError("SearchSnippet/get", { filter: null })).type, "invalidArguments");
  });
});

// JMAP push over EventSource (RFC 8620 §7.3) over real sockets: a StateChange after an imapflow STORE,
// an LMTP delivery and a POP3 DELE (latency printed as p50/p99, not asserted), the types filter,
// closeafter=state, pings, malformed parameters, and a clean end of the stream at server shutdown.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import type { Config } from "../src/config/config.js";
import {
  createTestSchema,
  describeWithPostgres,
  dropTestSchema,
  testSchemaUrl,
} from "../src/store/postgres/postgres-test-harness.js";
import { EventSourceReader, type StreamEvent } from "./helpers/event-source-reader.js";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { CORE, JmapTestClient, MAIL } from "./helpers/jmap-client.js";
import { LineSocket } from "./helpers/line-socket.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";
const ROUNDS = 12;
const SUBMISSION = "urn:ietf:params:jmap:submission";
const VACATION = "urn:ietf:params:jmap:vacationresponse";

const message = (n: number): Buffer =>
  Buffer.from(
    [
      "From: Carol <carol@example.test>",
      `To: ${ALICE}`,
      `Subject: push test ${n}`,
      `Message-ID: <push${n}@example.test>`,
      "",
      `Body ${n}.`,
      "",
    ].join("\r\n"),
  );

type Changed = Record<string, Record<string, string>>;

function stateChange(event: StreamEvent): Changed {
  assert.equal(event.event, "state");
  const data = JSON.parse(event.data) as { "@type": string; changed: Changed };
  assert.equal(data["@type"], "StateChange");
  return data.changed;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function report(label: string, latencies: number[]): void {
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(
    `# push latency ${label}: p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms (n=${sorted.length})`,
  );
}

function describePush(store: "sqlite" | "postgres"): void {
  describe(`JMAP push: EventSource StateChange (${store})`, () => {
    let server: TestServer;
    let alice: JmapTestClient;
    let accountId: string;
    let imap: ImapFlow;
    let lmtp: ReturnType<typeof nodemailer.createTransport>;
    let delivered = 0;
    let eventSourceUrl: string;

    const deliver = async (): Promise<void> => {
      delivered++;
      await lmtp.sendMail({ envelope: { from: "carol@example.test", to: [ALICE] }, raw: message(delivered) });
    };
    const open = (query: string): Promise<EventSourceReader> =>
      EventSourceReader.open(`${eventSourceUrl}${query}`, alice.authorization);
    const emailState = async (): Promise<string> =>
      (await alice.one("Email/get", { accountId, ids: [] })).state as string;

    before(async () => {
      server = await startTestServer(undefined, { store });
      await server.addUser(ALICE);
      alice = new JmapTestClient(`http://127.0.0.1:${server.port("http")}`, ALICE, TEST_PASSWORD);
      const session = await alice.session();
      accountId = await alice.accountId();
      eventSourceUrl = (session.eventSourceUrl as string).split("?")[0] as string;
      lmtp = nodemailer.createTransport({
        host: "127.0.0.1",
        port: server.port("lmtp"),
        lmtp: true,
        ignoreTLS: true,
      });
      await deliver();
      imap = imapFlowClient(server.port("imap"), ALICE);
      await imap.connect();
      await imap.mailboxOpen("INBOX");
    });
    after(async () => {
      await imap.logout().catch(() => {});
      await server.stop();
    });

    it("the session names the endpoint, and it answers text/event-stream", async () => {
      const session = await alice.session();
      assert.match(
        session.eventSourceUrl as string,
        /\/jmap\/eventsource\?types=\{types\}&closeafter=\{closeafter\}&ping=\{ping\}$/,
      );
      const stream = await open("?types=*&closeafter=no&ping=0");
      assert.equal(stream.status, 200);
      assert.match(stream.contentType, /^text\/event-stream/);
      stream.close();
    });

    it("sends a StateChange after IMAP STORE, LMTP delivery and POP3 DELE, with the new state", async () => {
      const stream = await open("?types=*&closeafter=no&ping=0");
      const storeLatencies: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const start = performance.now();
        if (round % 2 === 0) await imap.messageFlagsAdd("1:*", ["\\Flagged"]);
        else await imap.messageFlagsRemove("1:*", ["\\Flagged"]);
        const event = await stream.next();
        storeLatencies.push(event.atMs - start);
        const changed = stateChange(event)[accountId];
        assert.ok(changed !== undefined);
        assert.equal(changed.Email, await emailState());
        assert.equal(changed.Mailbox, changed.Email);
        assert.equal(changed.Thread, changed.Email);
        // A flag change delivers nothing.
        assert.equal(changed.EmailDelivery, undefined);
      }
      report(`IMAP STORE (${store})`, storeLatencies);

      const deliveryLatencies: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const start = performance.now();
        await deliver();
        const event = await stream.next();
        deliveryLatencies.push(event.atMs - start);
        const changed = stateChange(event)[accountId];
        assert.ok(changed?.EmailDelivery !== undefined, "a delivery changes EmailDelivery");
        assert.equal(changed.Email, await emailState());
        // One delivery is one commit: it may not announce itself twice.
        await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal(stream.pending, 0);
      }
      report(`LMTP delivery (${store})`, deliveryLatencies);

      const pop3 = await LineSocket.connect(server.port("pop3"));
      assert.match(await pop3.readLine(), /^\+OK/);
      pop3.send(`USER ${ALICE}`);
      assert.match(await pop3.readLine(), /^\+OK/);
      pop3.send(`PASS ${TEST_PASSWORD}`);
      assert.match(await pop3.readLine(), /^\+OK/);
      pop3.send("DELE 1");
      assert.match(await pop3.readLine(), /^\+OK/);
      const start = performance.now();
      pop3.send("QUIT");
      assert.match(await pop3.readLine(), /^\+OK/);
      const event = await stream.next();
      const changed = stateChange(event)[accountId];
      assert.equal(changed?.Email, await emailState());
      assert.equal(changed?.EmailDelivery, undefined);
      console.log(`# push latency POP3 DELE+QUIT: ${(event.atMs - start).toFixed(1)} ms`);
      pop3.close();
      stream.close();
    });

    it("types filters what is announced", async () => {
      // The IMAP session learns of the POP3 expunge first, so its 1:* names live messages.
      await imap.noop();
      const stream = await open("?types=EmailDelivery&closeafter=no&ping=0");
      await imap.messageFlagsAdd("1:*", ["\\Seen"]);
      await deliver();
      const changed = stateChange(await stream.next().catch(() => assert.fail("no EmailDelivery event")))[
        accountId
      ];
      assert.deepEqual(Object.keys(changed ?? {}), ["EmailDelivery"]);
      stream.close();
      const mailboxOnly = await open("?types=Mailbox,Unknown&closeafter=no&ping=0");
      await imap.messageFlagsRemove("1:*", ["\\Seen"]);
      assert.deepEqual(Object.keys(stateChange(await mailboxOnly.next())[accountId] ?? {}), ["Mailbox"]);
      mailboxOnly.close();
    });

    it("announces EmailSubmission, Identity and VacationResponse with the states their /get answers", async () => {
      const using = [CORE, MAIL, SUBMISSION, VACATION];
      const call = async (name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> => {
        const [response] = await alice.call([[name, { accountId, ...args }, "0"]], using);
        assert.equal(response?.[0], name, JSON.stringify(response));
        return response?.[1] as Record<string, unknown>;
      };
      const stream = await open("?types=EmailSubmission,Identity,VacationResponse&closeafter=no&ping=0");
      const identities = await call("Identity/get", {});
      const identityId = ((identities.list as Record<string, unknown>[])[0] as Record<string, unknown>).id;
      await call("Identity/set", { update: { [identityId as string]: { name: "Alice Push" } } });
      assert.deepEqual(stateChange(await stream.next())[accountId], {
        Identity: (await call("Identity/get", { ids: [] })).state,
      });

      await call("VacationResponse/set", { update: { singleton: { isEnabled: true, textBody: "Away." } } });
      assert.deepEqual(stateChange(await stream.next())[accountId], {
        VacationResponse: (await call("VacationResponse/get", {})).state,
      });

      const drafts = (await call("Mailbox/get", { properties: ["role"] })).list as Record<string, unknown>[];
      const draftsId = (drafts.find((m) => m.role === "drafts") as Record<string, unknown>).id as string;
      const [created, submitted] = await alice.call(
        [
          [
            "Email/set",
            {
              accountId,
              create: {
                d: {
                  mailboxIds: { [draftsId]: true },
                  from: [{ email: ALICE }],
                  to: [{ email: ALICE }],
                  subject: "to myself",
                  bodyValues: { b: { value: "Pushed." } },
                  textBody: [{ partId: "b" }],
                },
              },
            },
            "0",
          ],
          ["EmailSubmission/set", { accountId, create: { s: { identityId, emailId: "#d" } } }, "1"],
        ],
        using,
      );
      const createdOf = (response: unknown): Record<string, unknown> =>
        ((response as [string, Record<string, unknown>])[1].created ?? {}) as Record<string, unknown>;
      assert.ok(createdOf(created).d, JSON.stringify(created));
      assert.ok(createdOf(submitted).s, JSON.stringify(submitted));
      const changed = stateChange(await stream.next())[accountId];
      assert.deepEqual(changed, {
        EmailSubmission: (await call("EmailSubmission/get", { ids: [] })).state,
      });
      // The mail the submission delivered is not announced on a stream that did not ask for mail types.
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(stream.pending, 0);
      stream.close();
    });

    it("closeafter=state ends the response after the first StateChange", async () => {
      const stream = await open("?types=*&closeafter=state&ping=0");
      await imap.messageFlagsAdd("1:*", ["$Push"]);
      stateChange(await stream.next());
      assert.equal(await stream.ended, "end");
      await imap.messageFlagsRemove("1:*", ["$Push"]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(stream.pending, 0);
    });

    it("pings when nothing else is sent, with the interval it uses", async () => {
      const stream = await open("?types=*&closeafter=no&ping=1");
      const start = performance.now();
      const ping = await stream.next(3000);
      assert.equal(ping.event, "ping");
      assert.deepEqual(JSON.parse(ping.data), { interval: 1 });
      assert.ok(ping.atMs - start >= 900, "not before the interval");
      stream.close();
    });

    it("refuses malformed parameters and missing credentials", async () => {
      for (const query of ["?closeafter=maybe", "?ping=-1", "?ping=abc", "?ping=1e3"]) {
        const res = await alice.fetch(`/jmap/eventsource${query}`);
        assert.equal(res.status, 400, query);
        await res.body?.cancel();
      }
      const anonymous = await fetch(`${eventSourceUrl}?types=*`);
      assert.equal(anonymous.status, 401);
      await anonymous.body?.cancel();
      const post = await alice.fetch("/jmap/eventsource", { method: "POST" });
      assert.equal(post.status, 405);
      await post.body?.cancel();
    });
  });
}

describePush("sqlite");
await describeWithPostgres(() => describePush("postgres"));

// Two nodes on one PostgreSQL schema: the change is made through one node, the stream is held by the
// other, so the event travels by LISTEN/NOTIFY.
await describeWithPostgres(() =>
  describe("JMAP push across nodes (PostgreSQL LISTEN/NOTIFY)", () => {
    let schema: string;
    let nodeA: TestServer;
    let nodeB: TestServer;
    before(async () => {
      schema = await createTestSchema();
      const onSchema = (config: Config): Config => ({
        ...config,
        store: testSchemaUrl(schema),
      });
      nodeA = await startTestServer(onSchema);
      nodeB = await startTestServer(onSchema);
      await nodeA.addUser(ALICE);
    });
    after(async () => {
      await nodeA?.stop();
      await nodeB?.stop();
      await dropTestSchema(schema);
    });

    it("a STORE on node A reaches an EventSource on node B", async () => {
      const lmtp = nodemailer.createTransport({
        host: "127.0.0.1",
        port: nodeA.port("lmtp"),
        lmtp: true,
        ignoreTLS: true,
      });
      await lmtp.sendMail({ envelope: { from: "carol@example.test", to: [ALICE] }, raw: message(1) });
      const onB = new JmapTestClient(`http://127.0.0.1:${nodeB.port("http")}`, ALICE, TEST_PASSWORD);
      const accountId = await onB.accountId();
      const stream = await EventSourceReader.open(
        `${onB.baseUrl}/jmap/eventsource?types=*`,
        onB.authorization,
      );
      const imap = imapFlowClient(nodeA.port("imap"), ALICE);
      await imap.connect();
      await imap.mailboxOpen("INBOX");
      const latencies: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const start = performance.now();
        if (round % 2 === 0) await imap.messageFlagsAdd("1:*", ["\\Flagged"]);
        else await imap.messageFlagsRemove("1:*", ["\\Flagged"]);
        const event = await stream.next();
        latencies.push(event.atMs - start);
        const changed = stateChange(event)[accountId];
        assert.equal(changed?.Email, (await onB.one("Email/get", { accountId, ids: [] })).state);
      }
      report("IMAP STORE on node A, stream on node B", latencies);
      stream.close();
      await imap.logout();
    });
  }),
);

describe("JMAP push: shutdown", () => {
  it("ends open streams cleanly when the server stops", async () => {
    const server = await startTestServer();
    await server.addUser(ALICE);
    const alice = new JmapTestClient(`http://127.0.0.1:${server.port("http")}`, ALICE, TEST_PASSWORD);
    const streams = await Promise.all(
      [0, 1, 2].map(() =>
        EventSourceReader.open(`${alice.baseUrl}/jmap/eventsource?types=*&ping=0`, alice.authorization),
      ),
    );
    const start = performance.now();
    await server.stop();
    for (const stream of streams) assert.equal(await stream.ended, "end");
    assert.ok(performance.now() - start < 5000);
  });
});

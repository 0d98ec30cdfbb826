// Scale-out acceptance (issue 8, docs/scale-out.md): two `postfach serve` processes on one PostgreSQL
// schema. Ten IMAP clients on both nodes change one mailbox at random and end with the database's view;
// IDLE on one node hears deliveries, flag changes and expunges made on the other (latency printed); the
// POP3 maildrop lock holds across nodes; SIGKILL of a node under load loses no acknowledged message and
// leaves the other node serving. Skipped with one line when PostgreSQL is unreachable.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { after, before, describe, it } from "node:test";
import { ImapFlow } from "imapflow";
import { defaultConfig } from "../src/config/config.js";
import { connectPlainClient, type LineClient } from "../src/net/line-client.testkit.js";
import { openServices } from "../src/services.js";
import {
  createTestSchema,
  describeWithPostgres,
  dropTestSchema,
  testSchemaUrl,
  withAdmin,
} from "../src/store/postgres/postgres-test-harness.js";
import { type NodeProcess, startNode } from "./helpers/node-process.js";
import { RawImap } from "./helpers/raw-imap.js";
import { withTestScryptCost } from "./helpers/test-auth.js";

const PASSWORD = "correct-horse-battery";
const SHARED = "shared@example.test";
const IDLER = "idle@example.test";
const POP_USER = "pop@example.test";
const CRASH = "crash@example.test";
const CLIENTS = 10;
const LOAD_MS = 4000;
const DELIVERIES = 20;
const PUSH_TIMEOUT_MS = 10_000;

function imapClient(port: number, user: string): ImapFlow {
  const client = new ImapFlow({
    host: "127.0.0.1",
    port,
    secure: false,
    auth: { user, pass: PASSWORD },
    logger: false,
    disableAutoIdle: true,
    tls: { rejectUnauthorized: false },
  });
  // A killed node's clients report their broken connection here; the commands themselves reject.
  client.on("error", () => {});
  return client;
}

function message(subject: string): string {
  return `From: load@example.test\r\nTo: ${SHARED}\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@example.test>\r\n\r\nBody of ${subject}.\r\n`;
}

const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(Math.random() * items.length)];

/** One message's sequence number, UID and sorted flags, as a session sees it. */
type ViewRow = readonly [seq: number, uid: number, flags: string];

async function viewOf(client: ImapFlow): Promise<ViewRow[]> {
  const mailbox = client.mailbox;
  if (!mailbox || mailbox.exists === 0) return [];
  const messages = await client.fetchAll("1:*", { uid: true, flags: true });
  return messages.map((m) => [m.seq, m.uid, [...(m.flags ?? [])].sort().join(" ")] as const);
}

async function logIn(port: number, user: string): Promise<RawImap> {
  const raw = await RawImap.connect(port);
  assert.match(await raw.command("l", `LOGIN ${user} ${PASSWORD}`), /^l OK/m);
  return raw;
}

/** One LMTP transaction on an open connection; resolves with the final reply line. */
async function lmtpDeliver(client: LineClient, to: string, body: string): Promise<string> {
  client.write(`MAIL FROM:<sender@remote.example>\r\nRCPT TO:<${to}>\r\nDATA\r\n`);
  for (let i = 0; i < 3; i++) await client.line();
  client.write(`${body}.\r\n`);
  return client.line();
}

async function lmtpConnect(port: number): Promise<LineClient> {
  const client = await connectPlainClient(port);
  await client.line();
  client.write("LHLO test.example\r\n");
  while (!(await client.line()).startsWith("250 ")) {}
  return client;
}

/** POP3 USER/PASS; resolves with the reply to PASS and the connection. */
async function pop3Login(port: number, user: string): Promise<{ reply: string; client: LineClient }> {
  const client = await connectPlainClient(port);
  await client.line();
  client.write(`USER ${user}\r\n`);
  await client.line();
  client.write(`PASS ${PASSWORD}\r\n`);
  return { reply: await client.line(), client };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

await describeWithPostgres(() => {
  describe("two Postfach nodes on one PostgreSQL schema", () => {
    let dir = "";
    let schema = "";
    let nodeA: NodeProcess;
    let nodeB: NodeProcess;

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "postfach-scale-out-"));
      schema = await createTestSchema();
      const store = testSchemaUrl(schema);
      const services = await openServices(
        withTestScryptCost({ ...defaultConfig(), dataDir: join(dir, "admin"), store }),
      );
      for (const user of [SHARED, IDLER, POP_USER, CRASH]) await services.users.add(user, PASSWORD);
      await services.close();
      [nodeA, nodeB] = await Promise.all([
        startNode({ dir, name: "node-a", store }),
        startNode({ dir, name: "node-b", store }),
      ]);
    });

    after(async () => {
      await Promise.all([nodeA?.kill("SIGTERM"), nodeB?.kill("SIGTERM")]);
      if (schema) await dropTestSchema(schema);
      await rm(dir, { recursive: true, force: true });
    });

    it(`${CLIENTS} clients on both nodes change one mailbox at random and end with the database's view`, async () => {
      const clients = Array.from({ length: CLIENTS }, (_, i) =>
        imapClient((i % 2 === 0 ? nodeA : nodeB).ports.imap, SHARED),
      );
      await Promise.all(clients.map((c) => c.connect()));
      await Promise.all(clients.map((c) => c.mailboxOpen("INBOX")));
      const appended: number[] = [];
      const counts = { append: 0, flags: 0, expunge: 0 };
      const deadline = Date.now() + LOAD_MS;
      await Promise.all(
        clients.map(async (client, i) => {
          for (let n = 0; Date.now() < deadline; n++) {
            const roll = Math.random();
            const uid = pick(appended);
            if (roll < 0.45 || uid === undefined) {
              const result = await client.append(
                "INBOX",
                message(`c${i}-${n}`),
                roll < 0.2 ? ["\\Seen"] : [],
              );
              assert.ok(result && typeof result.uid === "number", "APPEND answers with APPENDUID");
              appended.push(result.uid);
              counts.append++;
            } else if (roll < 0.85) {
              const flag = pick(["\\Flagged", "\\Answered", "\\Seen", "$Label1"]) as string;
              if (roll < 0.65) await client.messageFlagsAdd(String(uid), [flag], { uid: true });
              else await client.messageFlagsRemove(String(uid), [flag], { uid: true });
              counts.flags++;
            } else {
              await client.messageDelete(String(uid), { uid: true });
              counts.expunge++;
            }
          }
        }),
      );
      assert.equal(new Set(appended).size, appended.length, "no UID was handed out twice");

      const fresh = imapClient(nodeA.ports.imap, SHARED);
      await fresh.connect();
      await fresh.mailboxOpen("INBOX");
      const truth = await viewOf(fresh);
      await fresh.logout();
      const database = await withAdmin((admin) =>
        admin.query<{ uid: string }>(
          `SELECT e.uid FROM ${schema}.entries e JOIN ${schema}.mailboxes m ON m.id = e.mailbox_id
             JOIN ${schema}.accounts a ON a.id = m.account_id
            WHERE a.address = $1 AND m.name = 'INBOX' ORDER BY e.uid`,
          [SHARED],
        ),
      );
      assert.deepEqual(
        truth.map(([, uid]) => uid),
        database.rows.map((row) => Number(row.uid)),
        "a fresh session lists the database's entries",
      );
      for (const [i, client] of clients.entries()) {
        await client.noop();
        assert.equal(
          client.mailbox ? client.mailbox.exists : 0,
          truth.length,
          `client ${i}: EXISTS after NOOP`,
        );
        assert.deepEqual(
          await viewOf(client),
          truth,
          `client ${i} (node ${i % 2 === 0 ? "A" : "B"}) sees the database`,
        );
      }
      await Promise.all(clients.map((c) => c.logout()));
      console.log(
        `two nodes, ${CLIENTS} clients, ${LOAD_MS} ms: ${counts.append} appends, ${counts.flags} flag changes, ` +
          `${counts.expunge} expunges; ${truth.length} messages left, views equal`,
      );
    });

    it(`pushes ${DELIVERIES} LMTP deliveries on node B, then flag changes and expunges, to IDLE on node A`, async () => {
      const idler = await logIn(nodeA.ports.imap, IDLER);
      await idler.command("s", "SELECT INBOX");
      idler.write("i IDLE\r\n");
      await idler.waitFor((text) => text.includes("+ "));
      idler.take();
      const lmtp = await lmtpConnect(nodeB.ports.lmtp);
      const latenciesMs: number[] = [];
      for (let n = 1; n <= DELIVERIES; n++) {
        lmtp.write(`MAIL FROM:<sender@remote.example>\r\nRCPT TO:<${IDLER}>\r\nDATA\r\n`);
        for (let i = 0; i < 3; i++) await lmtp.line();
        const started = performance.now();
        lmtp.write(`${message(`push-${n}`)}.\r\n`);
        const pushed = idler
          .waitFor((text) => text.includes(`* ${n} EXISTS\r\n`), PUSH_TIMEOUT_MS)
          .then(() => performance.now() - started);
        assert.match(await lmtp.line(), /^250 /);
        latenciesMs.push(await pushed);
      }
      lmtp.write("QUIT\r\n");
      lmtp.socket.destroy();
      const sorted = [...latenciesMs].sort((a, b) => a - b);
      console.log(
        `IDLE push across nodes (LMTP end of data on B -> EXISTS on A), ${DELIVERIES} deliveries: ` +
          `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms`,
      );

      const other = await logIn(nodeB.ports.imap, IDLER);
      await other.command("s", "SELECT INBOX");
      idler.take();
      assert.match(await other.command("f", "STORE 2 +FLAGS (\\Flagged)"), /^f OK/m);
      await idler.waitFor((text) => /\* 2 FETCH \([^\r\n]*\\Flagged/.test(text), PUSH_TIMEOUT_MS);
      idler.take();
      assert.match(await other.command("d", "STORE 1 +FLAGS (\\Deleted)"), /^d OK/m);
      assert.match(await other.command("x", "EXPUNGE"), /^x OK/m);
      await idler.waitFor((text) => text.includes("* 1 EXPUNGE\r\n"), PUSH_TIMEOUT_MS);
      idler.write("DONE\r\n");
      await idler.untilTagged("i");
      idler.close();
      other.close();
    });

    it("holds the POP3 maildrop lock across nodes", async () => {
      const onA = await pop3Login(nodeA.ports.pop3, POP_USER);
      assert.match(onA.reply, /^\+OK/);
      const onB = await pop3Login(nodeB.ports.pop3, POP_USER);
      assert.match(onB.reply, /^-ERR \[IN-USE\]/);
      onB.client.socket.destroy();
      onA.client.write("QUIT\r\n");
      assert.match(await onA.client.line(), /^\+OK/);
      const again = await pop3Login(nodeB.ports.pop3, POP_USER);
      assert.match(again.reply, /^\+OK/, "released on QUIT, free on the other node");
      again.client.write("QUIT\r\n");
      await again.client.line();
    });

    it("loses no acknowledged message when node B is killed under load, and node A keeps serving", async () => {
      const held = await pop3Login(nodeB.ports.pop3, CRASH);
      assert.match(held.reply, /^\+OK/);
      const acknowledged = new Set<string>();
      let isLoading = true;
      const lmtpLoad = async (connection: number) => {
        const lmtp = await lmtpConnect(nodeB.ports.lmtp);
        try {
          for (let n = 0; isLoading; n++) {
            const subject = `lmtp-${connection}-${n}`;
            if ((await lmtpDeliver(lmtp, CRASH, message(subject))).startsWith("250 "))
              acknowledged.add(subject);
          }
        } catch {
          // Node B was killed: whatever was not acknowledged may or may not have landed.
        } finally {
          lmtp.socket.destroy();
        }
      };
      const appendLoad = async (node: NodeProcess, connection: number) => {
        const client = imapClient(node.ports.imap, CRASH);
        await client.connect();
        try {
          for (let n = 0; isLoading; n++) {
            const subject = `append-${node.name}-${connection}-${n}`;
            await client.append("INBOX", message(subject));
            acknowledged.add(subject);
          }
          await client.logout();
        } catch {
          client.close();
        }
      };
      const load = Promise.all([
        lmtpLoad(1),
        lmtpLoad(2),
        appendLoad(nodeA, 1),
        appendLoad(nodeA, 2),
        appendLoad(nodeB, 1),
        appendLoad(nodeB, 2),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const beforeKill = acknowledged.size;
      await nodeB.kill("SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, 500));
      isLoading = false;
      await load;
      assert.ok(beforeKill > 0, "node B acknowledged messages before it was killed");
      held.client.socket.destroy();

      const fresh = imapClient(nodeA.ports.imap, CRASH);
      await fresh.connect();
      await fresh.mailboxOpen("INBOX");
      const stored = new Set(
        (await fresh.fetchAll("1:*", { envelope: true })).map((m) => m.envelope?.subject ?? ""),
      );
      await fresh.logout();
      const missing = [...acknowledged].filter((subject) => !stored.has(subject));
      assert.deepEqual(missing, [], "every acknowledged message is in the store");

      // The killed node's maildrop lock went with its database connection.
      const deadline = Date.now() + PUSH_TIMEOUT_MS;
      let pop = await pop3Login(nodeA.ports.pop3, CRASH);
      while (!pop.reply.startsWith("+OK") && Date.now() < deadline) {
        pop.client.socket.destroy();
        await new Promise((resolve) => setTimeout(resolve, 100));
        pop = await pop3Login(nodeA.ports.pop3, CRASH);
      }
      assert.match(pop.reply, /^\+OK/, "node A can lock the maildrop the killed node held");
      pop.client.write("QUIT\r\n");
      await pop.client.line();
      console.log(
        `SIGKILL of node B under load: ${acknowledged.size} acknowledged (${beforeKill} before the kill), all stored; ` +
          `${stored.size} messages in the mailbox`,
      );
    });
  });
});

// Soak test (issue 13, docs/reliability.md): mixed LMTP, IMAP and POP3 load against one `postfach serve`
// child for --minutes N, reporting every minute the throughput, errors, p99 latency and the server's RSS.
// Fails (exit 1) on any error or when RSS grew by more than --max-rss-growth-mb after the first minute.
// Usage: npm run soak -- --minutes 10 [--store postgres://…] [--max-rss-growth-mb 64]
//          [--gc-interval-ms N --gc-grace-ms M]  (the server's blob collection, [blob_gc]; default off)
// At the end the store is verified (`postfach doctor`'s check): any damaged or missing message fails it.
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { defaultConfig } from "../src/config/config.js";
import { connectPlainClient, type LineClient } from "../src/net/line-client.testkit.js";
import { openServices, verifyStore } from "../src/services.js";
import { messageBytes } from "../test/faults/fault-load.js";
import { startNode } from "../test/helpers/node-process.js";
import { RawImap } from "../test/helpers/raw-imap.js";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    store: { type: "string", default: "sqlite" },
    "max-rss-growth-mb": { type: "string", default: "64" },
    "interval-ms": { type: "string", default: "60000" },
    "gc-interval-ms": { type: "string", default: "0" },
    "gc-grace-ms": { type: "string", default: "60000" },
  },
});
const MINUTES = Number(values.minutes);
const INTERVAL_MS = Number(values["interval-ms"]);
const MAX_RSS_GROWTH_MB = Number(values["max-rss-growth-mb"]);
const PASSWORD = "soak-password-1";
const IMAP_USER = "soak-imap@example.test";
const POP_USER = "soak-pop@example.test";
/** INBOX is trimmed back to this size so the run measures a steady state, not a growing mailbox. */
const MAX_INBOX = 400;

type Kind = "lmtp" | "imap" | "pop3";
const stats = { ops: { lmtp: 0, imap: 0, pop3: 0 }, errors: 0, latenciesMs: [] as number[] };
const errorSamples: string[] = [];
let isDone = false;

async function timed<T>(kind: Kind, op: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await op();
  stats.latenciesMs.push(performance.now() - start);
  stats.ops[kind]++;
  return result;
}

function recordError(kind: Kind, error: unknown): void {
  stats.errors++;
  console.error(`error (${kind}): ${(error as Error).message.slice(0, 500)}`);
  if (errorSamples.length < 20) errorSamples.push(`${kind}: ${(error as Error).message.slice(0, 300)}`);
}

async function lmtpWorker(port: number): Promise<void> {
  let n = 0;
  while (!isDone) {
    let client: LineClient | undefined;
    try {
      client = await connectPlainClient(port);
      await client.line();
      client.write("LHLO soak.example\r\n");
      while (!(await client.line()).startsWith("250 ")) {}
      while (!isDone) {
        const raw = messageBytes(`soak${process.pid}-${n++}`, n % 50 === 0 ? 7 : 1);
        const lmtp = client;
        await timed("lmtp", async () => {
          lmtp.write(
            `MAIL FROM:<s@remote.example>\r\nRCPT TO:<${IMAP_USER}>\r\nRCPT TO:<${POP_USER}>\r\nDATA\r\n`,
          );
          for (let i = 0; i < 4; i++) await lmtp.line(30_000);
          lmtp.socket.write(raw);
          lmtp.write(".\r\n");
          for (let i = 0; i < 2; i++) {
            const reply = await lmtp.line(30_000);
            if (!reply.startsWith("250 ")) throw new Error(`LMTP: ${reply}`);
          }
        });
      }
      client.write("QUIT\r\n");
    } catch (error) {
      recordError("lmtp", error);
    } finally {
      client?.socket.destroy();
    }
  }
}

async function imapWorker(port: number, worker: number): Promise<void> {
  let tagNumber = 0;
  while (!isDone) {
    let imap: RawImap | undefined;
    try {
      imap = await RawImap.loggedIn(port, IMAP_USER, PASSWORD);
      const session = imap;
      let exists = 0;
      /** Follows the mailbox size through every response: EXPUNGE and EXISTS in the order they came. */
      const track = (text: string) => {
        for (const match of text.matchAll(/^\* (\d+) (EXISTS|EXPUNGE)\r$/gm)) {
          exists = match[2] === "EXISTS" ? Number(match[1]) : exists - 1;
        }
      };
      const run = (command: string) =>
        timed("imap", async () => {
          const tag = `t${tagNumber++}`;
          const text = await session.command(tag, command);
          track(text);
          if (!new RegExp(`^${tag} OK`, "m").test(text)) throw new Error(`${command}: ${text.slice(-300)}`);
          return text;
        });
      await run("SELECT INBOX");
      for (let round = 0; !isDone && round < 200; round++) {
        await run("NOOP");
        if (exists > 0) {
          const from = Math.max(1, exists - 9);
          await run(`FETCH ${from}:${exists} (FLAGS UID RFC822.SIZE ENVELOPE)`);
          await run(`FETCH ${exists} BODY.PEEK[]`);
          await run(`STORE ${exists} +FLAGS.SILENT (\\Seen)`);
          await run('SEARCH UNSEEN SUBJECT "fault"');
        }
        if (worker === 0 && exists > MAX_INBOX) {
          await run(`STORE 1:${exists - MAX_INBOX / 2} +FLAGS.SILENT (\\Deleted)`);
          await run("EXPUNGE");
        }
        if (round % 10 === 0) {
          const raw = messageBytes(`append${worker}-${round}`, 1);
          const tag = `a${tagNumber++}`;
          await timed("imap", async () => {
            session.take();
            session.write(
              Buffer.concat([
                Buffer.from(`${tag} APPEND Drafts {${raw.byteLength}+}\r\n`),
                raw,
                Buffer.from("\r\n"),
              ]),
            );
            const text = await session.untilTagged(tag);
            track(text);
            if (!text.includes(`${tag} OK`)) throw new Error(`APPEND: ${text}`);
          });
          if (worker === 0) {
            // Keep Drafts small: the appended drafts go again.
            await run("STATUS Drafts (MESSAGES)");
          }
        }
      }
      await run("LOGOUT").catch(() => {});
    } catch (error) {
      recordError("imap", error);
    } finally {
      imap?.close();
    }
  }
}

async function pop3Worker(port: number): Promise<void> {
  while (!isDone) {
    let pop: LineClient | undefined;
    try {
      pop = await connectPlainClient(port);
      const client = pop;
      await client.line();
      const expectOk = async (command: string) => {
        client.write(`${command}\r\n`);
        const line = await client.line(30_000);
        if (!line.startsWith("+OK")) throw new Error(`${command.split(" ")[0]}: ${line}`);
        return line;
      };
      await timed("pop3", async () => {
        await expectOk(`USER ${POP_USER}`);
        await expectOk(`PASS ${PASSWORD}`);
      });
      const count = Number((await timed("pop3", () => expectOk("STAT"))).split(" ")[1]);
      for (let i = 1; i <= Math.min(count, 5); i++) {
        await timed("pop3", async () => {
          await expectOk(`RETR ${i}`);
          while ((await client.line(30_000)) !== ".") {}
        });
        await timed("pop3", () => expectOk(`DELE ${i}`));
      }
      await timed("pop3", () => expectOk("QUIT"));
      if (count === 0) await new Promise((resolve) => setTimeout(resolve, 200));
    } catch (error) {
      recordError("pop3", error);
    } finally {
      pop?.socket.destroy();
    }
  }
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

function p99(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] as number;
}

const dir = await mkdtemp(join(tmpdir(), "postfach-soak-"));
const services = await openServices({ ...defaultConfig(), dataDir: join(dir, "soak"), store: values.store });
for (const address of [IMAP_USER, POP_USER]) await services.users.add(address, PASSWORD);
await services.close();
const gcIntervalMs = Number(values["gc-interval-ms"]);
const node = await startNode({
  dir,
  name: "soak",
  store: values.store,
  logLevel: "warn",
  extraToml: ["[blob_gc]", `interval_ms = ${gcIntervalMs}`, `grace_ms = ${Number(values["gc-grace-ms"])}`],
});
const pid = node.child.pid as number;
console.log(`soak: ${MINUTES} min against pid ${pid} (${values.store}), RSS bound +${MAX_RSS_GROWTH_MB} MB`);
const workers = [
  lmtpWorker(node.ports.lmtp),
  lmtpWorker(node.ports.lmtp),
  imapWorker(node.ports.imap, 0),
  imapWorker(node.ports.imap, 1),
  pop3Worker(node.ports.pop3),
];
const rows: {
  minute: number;
  ops: number;
  perSecond: number;
  errors: number;
  p99Ms: number;
  rssMb: number;
}[] = [];
let totalErrors = 0;
for (let minute = 1; minute <= MINUTES; minute++) {
  await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
  const ops = stats.ops.lmtp + stats.ops.imap + stats.ops.pop3;
  const row = {
    minute,
    ops,
    perSecond: Math.round((ops / INTERVAL_MS) * 1000),
    errors: stats.errors,
    p99Ms: Math.round(p99(stats.latenciesMs)),
    rssMb: Math.round(rssMb(pid)),
  };
  rows.push(row);
  totalErrors += stats.errors;
  console.log(
    `minute ${minute}: ${ops} ops (${row.perSecond}/s; lmtp ${stats.ops.lmtp}, imap ${stats.ops.imap}, pop3 ${stats.ops.pop3}), ` +
      `errors ${stats.errors}, p99 ${row.p99Ms} ms, RSS ${row.rssMb} MB`,
  );
  stats.ops = { lmtp: 0, imap: 0, pop3: 0 };
  stats.errors = 0;
  stats.latenciesMs = [];
}
isDone = true;
await Promise.race([Promise.all(workers), new Promise((resolve) => setTimeout(resolve, 30_000))]);
await node.kill("SIGTERM");
// Nothing the load did, blob collection included, may have damaged or lost a stored message.
const verifying = await openServices({ ...defaultConfig(), dataDir: join(dir, "soak"), store: values.store });
const verification = await verifyStore(verifying.store);
await verifying.close();
await rm(dir, { recursive: true, force: true });

const baseline = rows[Math.min(1, rows.length - 1)]?.rssMb ?? 0;
const finalRss = rows.at(-1)?.rssMb ?? 0;
const growth = finalRss - baseline;
const problems = [
  ...(totalErrors > 0 ? [`${totalErrors} errors: ${errorSamples.join(" | ")}`] : []),
  ...(growth > MAX_RSS_GROWTH_MB ? [`RSS grew ${growth} MB after warm-up (bound ${MAX_RSS_GROWTH_MB})`] : []),
  ...(verification.damaged.length > 0 ? [`${verification.damaged.length} damaged or missing messages`] : []),
];
console.log(
  JSON.stringify({
    minutes: MINUTES,
    gcIntervalMs,
    totalErrors,
    rssBaselineMb: baseline,
    rssFinalMb: finalRss,
    messagesVerified: verification.messages,
    damaged: verification.damaged.length,
    orphanBlobs: verification.orphans.length,
    rows,
  }),
);
if (problems.length > 0) {
  console.error(`soak FAILED: ${problems.join("; ")}`);
  process.exit(1);
}
console.log(`soak passed: no errors, RSS ${baseline} → ${finalRss} MB`);

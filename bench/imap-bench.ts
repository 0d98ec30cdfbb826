// `npm run bench`: the IMAP scenarios of BENCHMARKS.md on a large INBOX: select_large, fetch_flags_all,
// fetch_envelope_all, search_text_rare/subject/from (first after a restart, then warm), store_all and
// fetch_body_random. The server runs as its own process (`postfach serve`) so the client does not
// compete with it; each figure is the median of --runs runs and each result is checked.
// Options: --quick (10,000 messages instead of 100,000), --runs N (default 3), --messages N.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { defaultConfig } from "../src/config/config.js";
import { openServices } from "../src/main.js";
import { indexMessage } from "../src/mime/index/index-message.js";
import type { NewMessage } from "../src/store/mail-store.js";
import { BenchImapClient } from "./bench-imap-client.js";
import { generateCorpus, PLANT_EVERY, PLANT_OFFSET, PLANTED } from "./corpus.js";
import { median, report, timeMs } from "./stats.js";

const { values } = parseArgs({
  options: { quick: { type: "boolean" }, runs: { type: "string" }, messages: { type: "string" } },
});
const MESSAGES = Number(values.messages ?? (values.quick ? 10_000 : 100_000));
const RUNS = Number(values.runs ?? 3);
/** Distinct bodies; the mailbox repeats them (blobs are content-addressed, entries and emails are not). */
const DISTINCT = Math.min(MESSAGES, 5_000);
const RANDOM_BODIES = values.quick ? 500 : 2_000;
const ADDRESS = "bench@example.test";
const PASSWORD = "bench-password-123";
const CLI = new URL("../src/cli/postfach.js", import.meta.url).pathname;

async function fillMailbox(dataDir: string): Promise<number> {
  const services = await openServices({ ...defaultConfig(), dataDir });
  try {
    const account = await services.users.add(ADDRESS, PASSWORD);
    const inbox = await services.mailboxes.require(account.id, "INBOX");
    const distinct: NewMessage[] = [];
    let planted = 0;
    for (const raw of generateCorpus(DISTINCT, { seed: 2026 })) {
      const { hash } = await services.store.blobs.put(raw);
      distinct.push({
        blobHash: hash,
        index: indexMessage(raw),
        flags: { system: new Set(), keywords: [] },
        internalDateMs: Date.now(),
      });
    }
    const batch: NewMessage[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const source = i % DISTINCT;
      if (source % PLANT_EVERY === PLANT_OFFSET) planted++;
      batch.push(distinct[source] as NewMessage);
      if (batch.length === 1000 || i === MESSAGES - 1) {
        await services.store.messages.appendMany(account.id, inbox.id, batch);
        batch.length = 0;
      }
    }
    return planted;
  } finally {
    await services.close();
  }
}

interface Server {
  readonly port: number;
  readonly process: ChildProcess;
}

async function startServer(configPath: string): Promise<Server> {
  const child = spawn(process.execPath, [CLI, "serve", "--config", configPath], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let output = "";
  child.stderr?.setEncoding("utf8");
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr?.on("data", (chunk: string) => {
      output += chunk;
      const match = /imap\s+127\.0\.0\.1:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.on("exit", () => reject(new Error(`server exited: ${output}`)));
  });
  return { port, process: child };
}

async function stopServer(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.process.once("exit", resolve));
  server.process.kill("SIGTERM");
  await exited;
}

async function login(port: number): Promise<BenchImapClient> {
  const client = await BenchImapClient.connect(port);
  const result = await client.command(`LOGIN ${ADDRESS} ${PASSWORD}`);
  assert.match(result.status, /^OK/);
  return client;
}

async function measure(
  name: string,
  unit: "s",
  runs: number,
  fn: () => Promise<void>,
  detail: string,
): Promise<void> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) times.push(await timeMs(fn));
  report(name, median(times) / 1000, unit, `${detail}, median of ${runs}`);
}

const dataDir = await mkdtemp(join(tmpdir(), "postfach-imap-bench-"));
/** How many messages carry the planted search tokens (set by the fill). */
let planted = 0;
try {
  const fillMs = await timeMs(async () => {
    planted = await fillMailbox(dataDir);
  });
  report("fill", fillMs / 1000, "s", `${MESSAGES} messages (${DISTINCT} distinct bodies) into INBOX`);
  const configPath = join(dataDir, "bench.toml");
  await writeFile(
    configPath,
    [
      `data_dir = "${dataDir}"`,
      "[log]",
      'level = "warn"',
      "[imap]",
      'listen = ["127.0.0.1:0"]',
      "tls_listen = []",
      ...["pop3", "lmtp", "smtp", "submission", "http"].flatMap((p) => [
        `[${p}]`,
        "listen = []",
        ...(p === "pop3" ? ["tls_listen = []"] : []),
      ]),
    ].join("\n"),
  );

  let server = await startServer(configPath);
  let client = await login(server.port);

  await measure(
    "select_large",
    "s",
    RUNS,
    async () => {
      const result = await client.command("SELECT INBOX", true);
      assert.ok(result.lines.includes(`* ${MESSAGES} EXISTS`), "SELECT reports every message");
    },
    `${MESSAGES} messages`,
  );

  await measure(
    "fetch_flags_all",
    "s",
    RUNS,
    async () => {
      const result = await client.command("UID FETCH 1:* (UID FLAGS)");
      assert.equal(result.untagged.get("FETCH"), MESSAGES);
    },
    `UID FETCH 1:* (UID FLAGS), ${MESSAGES} messages`,
  );

  await measure(
    "fetch_envelope_all",
    "s",
    RUNS,
    async () => {
      const result = await client.command(
        "FETCH 1:* (UID RFC822.SIZE INTERNALDATE FLAGS ENVELOPE BODYSTRUCTURE)",
      );
      assert.equal(result.untagged.get("FETCH"), MESSAGES);
    },
    `${MESSAGES} messages`,
  );

  // Search: the first run right after a restart (cold caches in the server), then warm runs.
  client.close();
  await stopServer(server);
  server = await startServer(configPath);
  client = await login(server.port);
  await client.command("SELECT INBOX");
  const searches = [
    ["search_text_rare", `UID SEARCH TEXT ${PLANTED.body}`],
    ["search_subject", `UID SEARCH SUBJECT ${PLANTED.subject}`],
    ["search_from", `UID SEARCH FROM ${PLANTED.from}`],
  ] as const;
  for (const [name, command] of searches) {
    const check = async () => {
      const result = await client.command(command, true);
      assert.match(result.status, /^OK/, `${name}: ${result.status}`);
      const found = (result.lines.find((l) => l.startsWith("* SEARCH")) ?? "* SEARCH").split(" ").length - 2;
      assert.equal(found, planted, `${name} finds the planted messages`);
    };
    report(`${name}_first`, (await timeMs(check)) / 1000, "s", `${MESSAGES} messages, first after restart`);
    await measure(`${name}_warm`, "s", RUNS, check, `${MESSAGES} messages`);
  }

  const plusTimes: number[] = [];
  const minusTimes: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    plusTimes.push(await timeMs(() => client.command("UID STORE 1:* +FLAGS.SILENT (\\Seen)")));
    minusTimes.push(await timeMs(() => client.command("UID STORE 1:* -FLAGS.SILENT (\\Seen)")));
  }
  const status = await client.command("STATUS INBOX (UNSEEN)", true);
  assert.ok(
    status.lines.some((l) => l.includes(`UNSEEN ${MESSAGES}`)),
    "every message unseen again",
  );
  report(
    "store_all_add",
    median(plusTimes) / 1000,
    "s",
    `UID STORE 1:* +FLAGS.SILENT (\\Seen), median of ${RUNS}`,
  );
  report(
    "store_all_remove",
    median(minusTimes) / 1000,
    "s",
    `UID STORE 1:* -FLAGS.SILENT (\\Seen), median of ${RUNS}`,
  );

  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let bytes = 0;
    let seed = 7 + run;
    const commands: string[] = [];
    for (let i = 0; i < RANDOM_BODIES; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      commands.push(`UID FETCH ${1 + (seed % MESSAGES)} (BODY.PEEK[])`);
    }
    const ms = await timeMs(async () => {
      for (let i = 0; i < commands.length; i += 50) {
        for (const result of await client.pipeline(commands.slice(i, i + 50))) {
          assert.equal(result.untagged.get("FETCH"), 1);
          bytes += result.literalBytes;
        }
      }
    });
    rates.push(bytes / 1024 / 1024 / (ms / 1000));
  }
  report(
    "fetch_body_random",
    median(rates),
    "MB/s",
    `${RANDOM_BODIES} random BODY.PEEK[] pipelined by 50, median of ${RUNS}`,
  );

  client.close();
  await stopServer(server);
} finally {
  await rm(dataDir, { recursive: true, force: true });
}

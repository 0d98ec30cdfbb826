// `npm run bench`: the IMAP scenarios of BENCHMARKS.md on a large INBOX: select_large, fetch_flags_all,
// fetch_envelope_all, search_text_rare/subject/from (first after a restart, then warm), store_all and
// fetch_body_random. The server runs as its own process (`postfach serve`) so the client does not
// compete with it; each figure is the median of --runs runs and each result is checked.
// Options: --quick (10,000 messages instead of 100,000), --runs N (default 3), --messages N.
import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import { BenchImapClient } from "./bench-imap-client.js";
import { BENCH_ADDRESS, BENCH_PASSWORD, fillMailbox, startBenchServer } from "./bench-server.js";
import { PLANTED } from "./corpus.js";
import { median, report, timeMs } from "./stats.js";

const { values } = parseArgs({
  options: { quick: { type: "boolean" }, runs: { type: "string" }, messages: { type: "string" } },
});
const MESSAGES = Number(values.messages ?? (values.quick ? 10_000 : 100_000));
const RUNS = Number(values.runs ?? 3);
/** Distinct bodies; the mailbox repeats them (blobs are content-addressed, entries and emails are not). */
const DISTINCT = Math.min(MESSAGES, 5_000);
const RANDOM_BODIES = values.quick ? 500 : 2_000;

async function login(port: number): Promise<BenchImapClient> {
  const client = await BenchImapClient.connect(port);
  const result = await client.command(`LOGIN ${BENCH_ADDRESS} ${BENCH_PASSWORD}`);
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

let fill: Awaited<ReturnType<typeof fillMailbox>> | undefined;
const fillMs = await timeMs(async () => {
  fill = await fillMailbox(MESSAGES, DISTINCT);
});
if (!fill) throw new Error("fill failed");
const { planted } = fill;
report("fill", fillMs / 1000, "s", `${MESSAGES} messages (${DISTINCT} distinct bodies) into INBOX`);
try {
  let server = await startBenchServer(fill.dataDir, ["imap"]);
  let client = await login(server.port("imap"));

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
  await server.stop();
  server = await startBenchServer(fill.dataDir, ["imap"]);
  client = await login(server.port("imap"));
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
  await server.stop();
} finally {
  await fill.remove();
}

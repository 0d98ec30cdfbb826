// SORT and THREAD on a large INBOX (RFC 5256; docs/imap.md "SORT and THREAD"): the server runs as its own
// process; each figure is the median of --runs runs after one first run (which reads the keys cold from
// the store after a fresh start), and each answer is checked to list every message.
// Options: --quick (5,000 messages instead of 100,000), --messages N, --runs N (default 3).
import assert from "node:assert/strict";
import { BenchImapClient } from "./bench-imap-client.js";
import { parseBenchOptions } from "./bench-options.js";
import { BENCH_ADDRESS, BENCH_PASSWORD, fillMailbox, startBenchServer } from "./bench-server.js";
import { median, report, timeMs } from "./stats.js";

const options = parseBenchOptions();
const MESSAGES = Number(options.messages ?? (options.isQuick ? 5_000 : 100_000));
const RUNS = Number(options.runs ?? 3);
const DISTINCT = Math.min(MESSAGES, options.isQuick ? 1_000 : 5_000);

const COMMANDS: readonly [string, string][] = [
  ["sort_date", "SORT (DATE) UTF-8 ALL"],
  ["sort_reverse_arrival", "SORT (REVERSE ARRIVAL) UTF-8 ALL"],
  ["sort_subject_from", "SORT (SUBJECT FROM) UTF-8 ALL"],
  ["thread_references", "THREAD REFERENCES UTF-8 ALL"],
  ["thread_orderedsubject", "THREAD ORDEREDSUBJECT UTF-8 ALL"],
  ["search_all_baseline", "SEARCH ALL"],
];

const fillStart = Date.now();
const fill = await fillMailbox(MESSAGES, DISTINCT);
console.log(`filled ${MESSAGES} messages (${DISTINCT} distinct bodies) in ${Date.now() - fillStart} ms`);
const server = await startBenchServer(fill.dataDir, ["imap"]);
try {
  const client = await BenchImapClient.connect(server.port("imap"));
  assert.match((await client.command(`LOGIN ${BENCH_ADDRESS} ${BENCH_PASSWORD}`)).status, /^OK/);
  assert.match((await client.command("SELECT INBOX")).status, /^OK/);
  for (const [name, command] of COMMANDS) {
    let lines: string[] = [];
    const first = await timeMs(async () => {
      const result = await client.command(command, true);
      assert.match(result.status, /^OK/, `${command}: ${result.status}`);
      lines = result.lines;
    });
    const numbers = (lines.find((l) => /^\* (SORT|THREAD|SEARCH)/.test(l)) ?? "").match(/\d+/g) ?? [];
    assert.equal(numbers.length, MESSAGES, `${command} lists every message`);
    const runs: number[] = [];
    for (let run = 0; run < RUNS; run++) runs.push(await timeMs(() => client.command(command)));
    report(name, median(runs), "ms", `${MESSAGES} messages, first run ${Math.round(first)} ms`);
  }
  client.close();
} finally {
  await server.stop();
  await fill.remove();
}

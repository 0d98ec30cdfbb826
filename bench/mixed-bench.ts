// The concurrent_mixed scenario of BENCHMARKS.md: 50 IMAP clients, each on its own account (INBOX of
// 1,000 messages), for 30 s run a realistic mix: open INBOX, fetch the newest 50 headers, read a body,
// set or clear \Seen, now and then append a message or expunge one. Reports operations/s; every reply is
// checked (status, counts) and any error fails the run. Options: --quick (10 s, 50 messages each),
// --runs N (default 3; --quick 1), --vs-dovecot or --vs-postgres (Postfach on the PostgreSQL store; servers
// alternated), --results-file F (run-all.ts).
import assert from "node:assert/strict";
import { BenchImapClient, type CommandResult } from "./bench-imap-client.js";
import { parseBenchOptions } from "./bench-options.js";
import {
  BENCH_PASSWORD,
  type BenchStore,
  CHEAP_HASH_SETTINGS,
  fillAccounts,
  startBenchServer,
} from "./bench-server.js";
import { alternate, reportFigure, reportServerCpuPer, type TargetName } from "./compare.js";
import { generateCorpus, seededRandom } from "./corpus.js";
import { startDovecot } from "./dovecot-server.js";
import { serverCpuDuring } from "./process-cpu.js";

const options = parseBenchOptions();
const CLIENTS = 50;
const SECONDS = options.isQuick ? 10 : 30;
const MESSAGES_PER_ACCOUNT = options.isQuick ? 50 : 1_000;
const RUNS = Number(options.runs ?? (options.isQuick ? 1 : 3));
const DISTINCT = Math.min(MESSAGES_PER_ACCOUNT, 1_000);
const SEED = 5050;
const ADDRESSES = Array.from({ length: CLIENTS }, (_, i) => `mixed${i}@example.test`);
/** What a client appends now and then: a few ordinary corpus messages. */
const APPENDED = [...generateCorpus(20, { seed: 6060 })];

if (!options.isSelected("concurrent_mixed")) process.exit(0);

/** The mix, by weight: what a mail client does most (read lists and bodies) and least (append, expunge). */
const MIX = [
  ["select", 10],
  ["fetch_headers", 30],
  ["fetch_body", 25],
  ["store_flags", 25],
  ["append", 5],
  ["expunge", 5],
] as const;
type Operation = (typeof MIX)[number][0];
const MIX_TOTAL = MIX.reduce((sum, [, weight]) => sum + weight, 0);

interface ClientTally {
  operations: number;
  errors: string[];
}

/** One client: its own account and INBOX, its message count kept from EXISTS/EXPUNGE replies. */
class MixedClient {
  #exists = 0;
  readonly #random: () => number;

  constructor(
    private readonly client: BenchImapClient,
    seed: number,
  ) {
    this.#random = seededRandom(seed);
  }

  /** Follows the mailbox's size through the untagged replies of a command, in order. */
  #track(result: CommandResult): CommandResult {
    for (const line of result.lines) {
      const match = /^\* (\d+) (EXISTS|EXPUNGE)$/.exec(line);
      if (match?.[2] === "EXISTS") this.#exists = Number(match[1]);
      else if (match?.[2] === "EXPUNGE") this.#exists--;
    }
    return result;
  }

  async #run(command: string): Promise<CommandResult> {
    const result = this.#track(await this.client.command(command, true));
    if (!result.status.startsWith("OK")) throw new Error(`${command} → ${result.status}`);
    return result;
  }

  #pick(): Operation {
    let roll = this.#random() * MIX_TOTAL;
    for (const [operation, weight] of MIX) {
      roll -= weight;
      if (roll < 0) return operation;
    }
    return "select";
  }

  #randomMessage(): number {
    return 1 + Math.floor(this.#random() * this.#exists);
  }

  async select(): Promise<void> {
    this.#exists = 0;
    await this.#run("SELECT INBOX");
    if (this.#exists === 0) throw new Error("SELECT INBOX reported no EXISTS");
  }

  /** Runs one operation of the mix and checks its reply. */
  async step(): Promise<void> {
    const operation = this.#pick();
    switch (operation) {
      case "select":
        return this.select();
      case "fetch_headers": {
        const first = Math.max(1, this.#exists - 49);
        const result = await this.#run(`FETCH ${first}:* (UID FLAGS ENVELOPE)`);
        const expected = this.#exists - first + 1;
        if (result.untagged.get("FETCH") !== expected)
          throw new Error(`FETCH ${first}:* gave ${result.untagged.get("FETCH")} of ${expected}`);
        return;
      }
      case "fetch_body": {
        const n = this.#randomMessage();
        const result = await this.#run(`FETCH ${n} (BODY.PEEK[])`);
        if (result.untagged.get("FETCH") !== 1 || result.literalBytes === 0)
          throw new Error(`FETCH ${n} (BODY.PEEK[]) gave no body`);
        return;
      }
      case "store_flags": {
        const n = this.#randomMessage();
        const sign = this.#random() < 0.5 ? "+" : "-";
        // A server may leave out the FETCH when the flags did not change (Dovecot does).
        const result = await this.#run(`STORE ${n} ${sign}FLAGS (\\Seen)`);
        if ((result.untagged.get("FETCH") ?? 0) > 1) throw new Error(`STORE ${n} gave several FETCHes`);
        return;
      }
      case "append": {
        const message = APPENDED[Math.floor(this.#random() * APPENDED.length)] as Buffer;
        const before = this.#exists;
        const result = this.#track(await this.client.append("INBOX", message, true));
        if (!result.status.startsWith("OK")) throw new Error(`APPEND → ${result.status}`);
        // The new message shows as EXISTS now or with the next command (RFC 9051 §7.3.1): NOOP asks.
        if (this.#exists === before) await this.#run("NOOP");
        if (this.#exists !== before + 1) throw new Error(`APPEND: ${before} → ${this.#exists} messages`);
        return;
      }
      case "expunge": {
        // Deletes the newest message, so appends and expunges keep the mailbox near its size.
        const before = this.#exists;
        await this.#run(`STORE ${before} +FLAGS.SILENT (\\Deleted)`);
        const result = await this.#run("EXPUNGE");
        if (result.untagged.get("EXPUNGE") !== 1 || this.#exists !== before - 1)
          throw new Error(`EXPUNGE of message ${before}: ${result.untagged.get("EXPUNGE")} expunged`);
        return;
      }
    }
  }
}

async function runClient(port: number, index: number, run: number, deadline: number): Promise<ClientTally> {
  const tally: ClientTally = { operations: 0, errors: [] };
  let client: BenchImapClient | null = null;
  try {
    client = await BenchImapClient.connect(port);
    const login = await client.command(`LOGIN ${ADDRESSES[index]} ${BENCH_PASSWORD}`);
    if (!login.status.startsWith("OK")) throw new Error(`LOGIN → ${login.status}`);
    const mixed = new MixedClient(client, SEED + run * CLIENTS + index);
    await mixed.select();
    while (performance.now() < deadline) {
      try {
        await mixed.step();
        tally.operations++;
      } catch (error) {
        tally.errors.push(`client ${index}: ${(error as Error).message}`);
        if ((error as Error).message === "connection closed") break;
      }
    }
  } catch (error) {
    tally.errors.push(`client ${index}: ${(error as Error).message}`);
  } finally {
    client?.close();
  }
  return tally;
}

/** All clients at once for SECONDS; returns operations per second, failing on any error. */
async function runMix(name: TargetName, port: number, pid: number, run: number): Promise<number> {
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  let tallies: ClientTally[] = [];
  const cpuMs = await serverCpuDuring(pid, async () => {
    tallies = await Promise.all(ADDRESSES.map((_, i) => runClient(port, i, run, deadline)));
  });
  const seconds = (performance.now() - started) / 1000;
  const operations = tallies.reduce((sum, t) => sum + t.operations, 0);
  cpuPerOperation.set(name, [...(cpuPerOperation.get(name) ?? []), cpuMs / operations]);
  const errors = tallies.flatMap((t) => t.errors);
  errorCounts.set(name, (errorCounts.get(name) ?? 0) + errors.length);
  assert.equal(errors.length, 0, `${name}: ${errors.length} errors, first: ${errors.slice(0, 5).join("; ")}`);
  return operations / seconds;
}

const errorCounts = new Map<TargetName, number>();
/** Server CPU milliseconds per operation of each run, by target. */
const cpuPerOperation = new Map<TargetName, number[]>();
const fillOn = (store: BenchStore) =>
  fillAccounts({
    addresses: ADDRESSES,
    messages: MESSAGES_PER_ACCOUNT,
    distinct: DISTINCT,
    seed: SEED,
    isCheapHash: true,
    store,
  });
const fill = await fillOn("sqlite");
const postgresFill = options.isVsPostgres ? await fillOn("postgres") : null;
const dovecot = options.isVsDovecot
  ? await startDovecot({
      messages: MESSAGES_PER_ACCOUNT,
      distinct: DISTINCT,
      seed: SEED,
      extraUsers: ADDRESSES.map((address) => ({ address, password: BENCH_PASSWORD, hasMail: true })),
    })
  : null;
// All clients come from 127.0.0.1: lift the per-IP limit meant for the internet (50 by default).
const serverSettings = { ...CHEAP_HASH_SETTINGS, limits: { max_connections_per_ip: 1_000 } };
const server = await startBenchServer(fill.dataDir, ["imap"], serverSettings);
const postgresServer = postgresFill
  ? await startBenchServer(postgresFill.dataDir, ["imap"], serverSettings, postgresFill.store)
  : null;
try {
  const targets = [
    { name: "postfach" as const, port: server.port("imap"), pid: server.pid },
    ...(dovecot ? [{ name: "dovecot" as const, port: dovecot.port("imap"), pid: dovecot.pid }] : []),
    ...(postgresServer
      ? [{ name: "postgres" as const, port: postgresServer.port("imap"), pid: postgresServer.pid }]
      : []),
  ];
  const rates = await alternate(targets, RUNS, ({ name, port, pid }, run) => runMix(name, port, pid, run));
  const errors = [...errorCounts].map(([name, count]) => `${name} ${count} errors`).join(", ");
  reportFigure(
    "concurrent_mixed",
    "operations/s",
    true,
    rates,
    `${CLIENTS} clients, own account each (${MESSAGES_PER_ACCOUNT} messages), ${SECONDS} s, ${errors}`,
    options.resultsFile,
  );
  reportServerCpuPer("concurrent_mixed", cpuPerOperation, "operation");
} finally {
  await server.stop();
  await postgresServer?.stop();
  await dovecot?.remove();
  await fill.remove();
  await postgresFill?.remove();
}

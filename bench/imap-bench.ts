// `npm run bench`: the IMAP scenarios of BENCHMARKS.md on a large INBOX: select_large, fetch_flags_all,
// fetch_envelope_all, search_text_rare/subject/from (first after a restart, then warm), store_all and
// fetch_body_random (its first run, then warm). The server runs as its own process (`postfach serve`) so the client does not
// compete with it; each figure is the median of --runs runs and each result is checked.
// Options: --quick (5,000 messages of 1,000 distinct bodies instead of 100,000 of 5,000), --runs N (default 3), --messages N,
// --vs-dovecot (the same corpus in Dovecot's Maildir, each run alternating the servers), --vs-postgres
// (the same corpus in a second Postfach on the PostgreSQL store, alternated with the SQLite one),
// --results-file F (figures as JSON lines, for run-all.ts).
import assert from "node:assert/strict";
import { BenchImapClient } from "./bench-imap-client.js";
import { parseBenchOptions } from "./bench-options.js";
import { BENCH_ADDRESS, BENCH_PASSWORD, fillMailbox, startBenchServer } from "./bench-server.js";
import { alternate, reportFigure, type TargetName } from "./compare.js";
import { PLANTED } from "./corpus.js";
import { startDovecot } from "./dovecot-server.js";
import { ClientCpu, ServerCpu, withServerCpu } from "./process-cpu.js";
import { report, timeMs } from "./stats.js";

const options = parseBenchOptions();
const MESSAGES = Number(options.messages ?? (options.isQuick ? 5_000 : 100_000));
const RUNS = Number(options.runs ?? 3);
/** Distinct bodies; the mailbox repeats them (blobs are content-addressed, entries and emails are not). */
const DISTINCT = Math.min(MESSAGES, options.isQuick ? 1_000 : 5_000);
const RANDOM_BODIES = options.isQuick ? 500 : 2_000;
const SEED = 2026;
const RESULTS_FILE = options.resultsFile;

/** One server under test, with its logged-in client that has INBOX selected after `reconnect`. */
interface Target {
  readonly name: TargetName;
  /** Messages carrying the planted search tokens. */
  readonly planted: number;
  client: BenchImapClient;
  /** The server's process (Dovecot: its master), for its CPU time. */
  readonly pid: number;
  /** Restarts the server process and logs in again (without selecting). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function login(port: number): Promise<BenchImapClient> {
  const client = await BenchImapClient.connect(port);
  const result = await client.command(`LOGIN ${BENCH_ADDRESS} ${BENCH_PASSWORD}`);
  assert.match(result.status, /^OK/);
  return client;
}

/** Postfach on its SQLite store ("postfach") or on the PostgreSQL store ("postgres"). */
async function postfachTarget(name: "postfach" | "postgres"): Promise<Target> {
  const fillStart = process.hrtime.bigint();
  const store = name === "postgres" ? "postgres" : "sqlite";
  const fill = await fillMailbox(MESSAGES, DISTINCT, SEED, false, store);
  report(
    name === "postgres" ? "fill_postgres" : "fill",
    Number(process.hrtime.bigint() - fillStart) / 1e9,
    "s",
    `${MESSAGES} messages (${DISTINCT} distinct bodies) into INBOX`,
  );
  let server = await startBenchServer(fill.dataDir, ["imap"], {}, fill.store);
  const target: Target = {
    name,
    planted: fill.planted,
    client: await login(server.port("imap")),
    get pid() {
      return server.pid;
    },
    async restart() {
      target.client.close();
      await server.stop();
      server = await startBenchServer(fill.dataDir, ["imap"], {}, fill.store);
      target.client = await login(server.port("imap"));
    },
    async stop() {
      target.client.close();
      await server.stop();
      await fill.remove();
    },
  };
  return target;
}

async function dovecotTarget(): Promise<Target> {
  const fillStart = process.hrtime.bigint();
  const dovecot = await startDovecot({ messages: MESSAGES, distinct: DISTINCT, seed: SEED });
  report(
    "fill_dovecot",
    Number(process.hrtime.bigint() - fillStart) / 1e9,
    "s",
    `${MESSAGES} Maildir files written directly`,
  );
  const target: Target = {
    name: "dovecot",
    planted: dovecot.corpus.planted,
    client: await login(dovecot.port("imap")),
    get pid() {
      return dovecot.pid;
    },
    async restart() {
      target.client.close();
      await dovecot.restart();
      target.client = await login(dovecot.port("imap"));
    },
    async stop() {
      target.client.close();
      await dovecot.remove();
    },
  };
  return target;
}

// Both stores are filled at once: Postfach's fill is mostly CPU and fsyncs, Dovecot's mostly file writes.
const started = await Promise.allSettled([
  postfachTarget("postfach"),
  ...(options.isVsDovecot ? [dovecotTarget()] : []),
  ...(options.isVsPostgres ? [postfachTarget("postgres")] : []),
]);
const targets = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
try {
  for (const result of started) if (result.status === "rejected") throw result.reason;
  const plantedCounts = new Set(targets.map((t) => t.planted));
  assert.equal(plantedCounts.size, 1, "both servers hold the same planted messages");
  // An untimed first SELECT: Dovecot builds its index files from the Maildir here, as Postfach did
  // while filling its store.
  for (const target of targets) await target.client.command("SELECT INBOX");

  const measureSeconds = async (
    name: string,
    detail: string,
    fn: (target: Target) => Promise<void>,
  ): Promise<void> => {
    if (!options.isSelected(name)) return;
    const cpu = new ServerCpu();
    const clientCpu = new ClientCpu();
    const times = await alternate(targets, RUNS, async (target) => {
      const measure = () => timeMs(() => fn(target));
      const ms = await clientCpu.during(target.name, () =>
        withServerCpu(target.pid, cpu, target.name, measure, 0),
      );
      return ms / 1000;
    });
    reportFigure(name, "s", false, times, detail, RESULTS_FILE);
    cpu.report(name);
    clientCpu.report(name);
  };

  await measureSeconds("select_large", `${MESSAGES} messages`, async ({ client }) => {
    const result = await client.command("SELECT INBOX", true);
    assert.ok(result.lines.includes(`* ${MESSAGES} EXISTS`), "SELECT reports every message");
  });

  await measureSeconds("fetch_flags_all", `UID FETCH 1:* (UID FLAGS), ${MESSAGES} messages`, async (t) => {
    const result = await t.client.command("UID FETCH 1:* (UID FLAGS)");
    assert.equal(result.untagged.get("FETCH"), MESSAGES, t.name);
  });

  await measureSeconds("fetch_envelope_all", `${MESSAGES} messages`, async (t) => {
    const result = await t.client.command(
      "FETCH 1:* (UID RFC822.SIZE INTERNALDATE FLAGS ENVELOPE BODYSTRUCTURE)",
    );
    assert.equal(result.untagged.get("FETCH"), MESSAGES, t.name);
  });

  // Search: the first run right after a restart (cold caches in the server), then warm runs.
  const searches = [
    ["search_text_rare", `UID SEARCH TEXT ${PLANTED.body}`],
    ["search_subject", `UID SEARCH SUBJECT ${PLANTED.subject}`],
    ["search_from", `UID SEARCH FROM ${PLANTED.from}`],
  ] as const;
  const search = async (target: Target, name: string, command: string): Promise<void> => {
    const result = await target.client.command(command, true);
    assert.match(result.status, /^OK/, `${target.name} ${name}: ${result.status}`);
    const found = (result.lines.find((l) => l.startsWith("* SEARCH")) ?? "* SEARCH").split(" ").length - 2;
    assert.equal(found, target.planted, `${target.name} ${name} finds the planted messages`);
  };
  for (const [name, command] of searches) {
    if (!options.isSelected(`${name}_first`) && !options.isSelected(`${name}_warm`)) continue;
    const firstTimes = await alternate(targets, 1, async (target) => {
      await target.restart();
      await target.client.command("SELECT INBOX");
      return (await timeMs(() => search(target, name, command))) / 1000;
    });
    reportFigure(
      `${name}_first`,
      "s",
      false,
      firstTimes,
      `${MESSAGES} messages, first after restart`,
      RESULTS_FILE,
    );
    await measureSeconds(`${name}_warm`, `${MESSAGES} messages`, (target) => search(target, name, command));
  }

  // Each run sets \Seen on every message, then clears it again, so both timed STOREs change every
  // message (repeating +FLAGS alone would time STOREs that change nothing after the first).
  if (options.isSelected("store_all_add") || options.isSelected("store_all_remove")) {
    const removeTimes = new Map<TargetName, number[]>(targets.map((t) => [t.name, []]));
    const addTimes = await alternate(targets, RUNS, async ({ client, name }) => {
      const add = await timeMs(async () => {
        assert.match((await client.command("UID STORE 1:* +FLAGS.SILENT (\\Seen)")).status, /^OK/);
      });
      const remove = await timeMs(async () => {
        assert.match((await client.command("UID STORE 1:* -FLAGS.SILENT (\\Seen)")).status, /^OK/);
      });
      removeTimes.get(name)?.push(remove / 1000);
      return add / 1000;
    });
    reportFigure("store_all_add", "s", false, addTimes, "UID STORE 1:* +FLAGS.SILENT (\\Seen)", RESULTS_FILE);
    reportFigure(
      "store_all_remove",
      "s",
      false,
      removeTimes,
      "UID STORE 1:* -FLAGS.SILENT (\\Seen)",
      RESULTS_FILE,
    );
  }
  // After store_all_remove every message is unseen again (with store_all_add alone, they stay \Seen).
  for (const target of options.isSelected("store_all_remove") ? targets : []) {
    const status = await target.client.command("STATUS INBOX (UNSEEN)", true);
    assert.ok(
      status.lines.some((l) => l.includes(`UNSEEN ${MESSAGES}`)),
      `${target.name}: every message unseen again`,
    );
  }

  // Random bodies: the first run after the STORE rounds is reported on its own, as the searches' first
  // runs are: it is when each server first reads bodies (Postfach compiles its FETCH body path, Dovecot
  // fills its caches), a cost paid once per server process. The scenario's figure is the median of the
  // runs after it, each with its own random messages.
  if (options.isSelected("fetch_body_random") || options.isSelected("fetch_body_random_first")) {
    const fetchRandomBodies = async ({ client, name }: Target, run: number): Promise<number> => {
      let bytes = 0;
      let seed = 7 + run;
      const commands: string[] = [];
      for (let i = 0; i < RANDOM_BODIES; i++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        commands.push(`UID FETCH ${1 + (seed % MESSAGES)} (BODY.PEEK[])`);
      }
      const ms = await timeMs(async () => {
        for (let i = 0; i < commands.length; i += 50) {
          // Dovecot runs pipelined FETCHes in parallel, so a FETCH may arrive before an earlier tag's
          // completion: count the batch as a whole.
          const batch = commands.slice(i, i + 50);
          let fetched = 0;
          for (const result of await client.pipeline(batch)) {
            assert.match(result.status, /^OK/, name);
            fetched += result.untagged.get("FETCH") ?? 0;
            bytes += result.literalBytes;
          }
          assert.equal(fetched, batch.length, name);
        }
      });
      return bytes / 1024 / 1024 / (ms / 1000);
    };
    const detail = `${RANDOM_BODIES} random BODY.PEEK[] pipelined by 50`;
    const firstCpu = new ServerCpu();
    const firstClientCpu = new ClientCpu();
    const firstRates = await alternate(targets, 1, (target) =>
      firstClientCpu.during(target.name, () =>
        withServerCpu(target.pid, firstCpu, target.name, () => fetchRandomBodies(target, 0)),
      ),
    );
    reportFigure("fetch_body_random_first", "MB/s", true, firstRates, `${detail}, first run`, RESULTS_FILE);
    firstCpu.report("fetch_body_random_first");
    firstClientCpu.report("fetch_body_random_first");
    const cpu = new ServerCpu();
    const clientCpu = new ClientCpu();
    const rates = await alternate(targets, RUNS, (target, run) =>
      clientCpu.during(target.name, () =>
        withServerCpu(target.pid, cpu, target.name, () => fetchRandomBodies(target, run + 1)),
      ),
    );
    reportFigure("fetch_body_random", "MB/s", true, rates, `${detail}, after the first run`, RESULTS_FILE);
    cpu.report("fetch_body_random");
    clientCpu.report("fetch_body_random");
  }
} finally {
  for (const target of targets) await target.stop();
}

// The pop3_retr_all scenario of BENCHMARKS.md: POP3 login, UIDL, RETR of every message of a 10,000-message
// INBOX (pipelined, as clients with PIPELINING do), QUIT. Reports MB/s of message data; checks that every
// message arrived. The server process's first pull is its own figure (pop3_retr_all_first), the median of
// the pulls after it pop3_retr_all. Options: --quick (1,000 messages), --runs N (default 3), --vs-dovecot
// (the same messages in Dovecot, runs alternated), --vs-postgres (the same messages in a Postfach on the
// PostgreSQL store, runs alternated), --results-file F (for run-all.ts).
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { parseBenchOptions } from "./bench-options.js";
import {
  BENCH_ADDRESS,
  BENCH_PASSWORD,
  type BenchServer,
  fillMailbox,
  startBenchServer,
} from "./bench-server.js";
import { alternate, reportFigure } from "./compare.js";
import { startDovecot } from "./dovecot-server.js";
import { ClientCpu, ServerCpu, withServerCpu } from "./process-cpu.js";
import { timeMs } from "./stats.js";

const options = parseBenchOptions();
const MESSAGES = options.isQuick ? 1_000 : 10_000;
const RUNS = Number(options.runs ?? 3);
const TERMINATOR = Buffer.from("\r\n.\r\n");
/** RETRs sent together (POP3 PIPELINING, RFC 2449 §6.6). */
const RETR_BATCH = 100;

/** Reads until `count` multi-line terminators and `singles` single-line replies were seen. */
class Pop3Reader {
  /** The last bytes of the previous chunk: a terminator may start there. */
  #tail = Buffer.alloc(0);
  #terminators = 0;
  bytes = 0;
  #wake: (() => void) | null = null;

  constructor(socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.bytes += chunk.length;
      // Each chunk is scanned where it lies (copying every chunk into a new buffer made the client's
      // cost grow with the bytes it measures); only the seam between two chunks is copied.
      const seam = Buffer.concat([this.#tail, chunk.subarray(0, TERMINATOR.length - 1)]);
      for (
        let at = seam.indexOf(TERMINATOR);
        at !== -1 && at < this.#tail.length;
        at = seam.indexOf(TERMINATOR, at + 3)
      )
        this.#terminators++;
      for (let at = chunk.indexOf(TERMINATOR); at !== -1; at = chunk.indexOf(TERMINATOR, at + 3))
        this.#terminators++;
      this.#tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - (TERMINATOR.length - 1))));
      this.#wake?.();
    });
  }

  async untilTerminators(count: number): Promise<void> {
    while (this.#terminators < count) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }
}

async function retrieveAll(port: number): Promise<number> {
  const socket = connect({ host: "127.0.0.1", port });
  await new Promise((resolve) => socket.once("connect", resolve));
  const reader = new Pop3Reader(socket);
  socket.write(`USER ${BENCH_ADDRESS}\r\nPASS ${BENCH_PASSWORD}\r\nUIDL\r\n`);
  await reader.untilTerminators(1);
  const start = reader.bytes;
  // Two batches of RETRs in flight: the next is sent when the one before the last is answered, so the
  // server always has commands waiting (one batch at a time left both sides idle at every turn).
  const batchEnds: number[] = [];
  for (let n = 1; n <= MESSAGES; n += RETR_BATCH) {
    const last = Math.min(MESSAGES, n + RETR_BATCH - 1);
    const commands: string[] = [];
    for (let m = n; m <= last; m++) commands.push(`RETR ${m}\r\n`);
    if (batchEnds.length >= 2) await reader.untilTerminators(1 + (batchEnds.at(-2) as number));
    socket.write(commands.join(""));
    batchEnds.push(last);
  }
  await reader.untilTerminators(1 + MESSAGES);
  socket.write("QUIT\r\n");
  socket.destroy();
  return reader.bytes - start;
}

if (!options.isSelected("pop3_retr_all") && !options.isSelected("pop3_retr_all_first")) process.exit(0);
const DISTINCT = Math.min(MESSAGES, 2_000);
const SEED = 4242;
// Both stores are filled at once (CPU and fsyncs for Postfach, file writes for Dovecot).
const [filled, started, filledPostgres] = await Promise.allSettled([
  fillMailbox(MESSAGES, DISTINCT, SEED, true),
  options.isVsDovecot ? startDovecot({ messages: MESSAGES, distinct: DISTINCT, seed: SEED }) : null,
  options.isVsPostgres ? fillMailbox(MESSAGES, DISTINCT, SEED, false, "postgres") : null,
]);
const fill = filled.status === "fulfilled" ? filled.value : null;
const dovecot = started.status === "fulfilled" ? started.value : null;
const postgresFill = filledPostgres.status === "fulfilled" ? filledPostgres.value : null;
const servers: BenchServer[] = [];
try {
  if (!fill) throw filled.status === "rejected" ? filled.reason : new Error("no fill");
  if (started.status === "rejected") throw started.reason;
  if (filledPostgres.status === "rejected") throw filledPostgres.reason;
  if (dovecot)
    assert.equal(dovecot.corpus.totalBytes, fill.totalBytes, "both servers hold the same messages");
  if (postgresFill)
    assert.equal(postgresFill.totalBytes, fill.totalBytes, "both stores hold the same messages");
  const server = await startBenchServer(fill.dataDir, ["pop3"]);
  servers.push(server);
  const postgresServer = postgresFill
    ? await startBenchServer(postgresFill.dataDir, ["pop3"], {}, postgresFill.store)
    : null;
  if (postgresServer) servers.push(postgresServer);
  const targets = [
    { name: "postfach" as const, port: server.port("pop3"), pid: server.pid },
    ...(dovecot ? [{ name: "dovecot" as const, port: dovecot.port("pop3"), pid: dovecot.pid }] : []),
    ...(postgresServer
      ? [{ name: "postgres" as const, port: postgresServer.port("pop3"), pid: postgresServer.pid }]
      : []),
  ];
  const detail = `${MESSAGES} messages, ${(fill.totalBytes / 1024 / 1024).toFixed(1)} MB, login+UIDL+RETR all`;
  /** Each target's pulls, measured as MB/s with the servers' CPU and the bench's own. */
  const pulls = (runs: number, cpu: ServerCpu, clientCpu: ClientCpu) =>
    alternate(targets, runs, async ({ name, port, pid }) => {
      let bytes = 0;
      const ms = await clientCpu.during(name, () =>
        withServerCpu(pid, cpu, name, () =>
          timeMs(async () => {
            bytes = await retrieveAll(port);
          }),
        ),
      );
      assert.ok(
        bytes >= fill.totalBytes,
        `${name}: every message arrived (${bytes} of ${fill.totalBytes} bytes)`,
      );
      return fill.totalBytes / 1024 / 1024 / (ms / 1000);
    });
  // A server process's first pull (its first login, code not yet optimized) is reported on its own, as
  // fetch_body_random_first is: among three runs it was the median's neighbour, and with it the median
  // of three measured a process still warming up.
  const firstCpu = new ServerCpu();
  const firstClientCpu = new ClientCpu();
  const firstRates = await pulls(1, firstCpu, firstClientCpu);
  reportFigure(
    "pop3_retr_all_first",
    "MB/s",
    true,
    firstRates,
    `${detail}, the server process's first pull`,
    options.resultsFile,
  );
  firstCpu.report("pop3_retr_all_first");
  firstClientCpu.report("pop3_retr_all_first");
  const cpu = new ServerCpu();
  const clientCpu = new ClientCpu();
  const rates = await pulls(RUNS, cpu, clientCpu);
  reportFigure("pop3_retr_all", "MB/s", true, rates, `${detail}, after the first pull`, options.resultsFile);
  cpu.report("pop3_retr_all");
  clientCpu.report("pop3_retr_all");
} finally {
  for (const server of servers) await server.stop();
  await dovecot?.remove();
  await fill?.remove();
  await postgresFill?.remove();
}

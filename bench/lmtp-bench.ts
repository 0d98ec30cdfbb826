// The deliver_lmtp scenario of BENCHMARKS.md: 10,000 corpus messages to one account over 4 concurrent
// LMTP connections (RFC 2033), each transaction pipelined as an MTA does. Reports messages/s and checks
// the final message count. Options: --quick (500 messages), --messages N, --runs N (default 3, a fresh store each),
// --vs-dovecot (each run also delivers to a fresh Dovecot, alternating), --vs-postgres (each run also
// delivers to a Postfach on a fresh PostgreSQL schema, alternating), --results-file F (run-all.ts).
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { defaultConfig } from "../src/config/config.js";
import { connectPlainClient, type LineClient } from "../src/net/line-client.testkit.js";
import { openServices } from "../src/services.js";
import { parseBenchOptions } from "./bench-options.js";
import { BENCH_ADDRESS, type BenchStore, fillMailbox, startBenchServer } from "./bench-server.js";
import { alternate, reportFigure, reportServerCpuPer, type TargetName } from "./compare.js";
import { generateCorpus } from "./corpus.js";
import { startDovecot } from "./dovecot-server.js";
import { mainThreadCpuMs, serverCpuDuring } from "./process-cpu.js";
import { timeMs } from "./stats.js";

const options = parseBenchOptions();
const MESSAGES = Number(options.messages ?? (options.isQuick ? 500 : 10_000));
const RUNS = Number(options.runs ?? 3);
const CONNECTIONS = 4;
if (!options.isSelected("deliver_lmtp")) process.exit(0);

/** A corpus message as DATA: CRLF line ends, dot-stuffed (RFC 5321 §4.5.2), ended by CRLF.CRLF. */
function asData(raw: Buffer): string {
  let text = raw.toString("latin1").replace(/\r?\n/g, "\r\n");
  if (!text.endsWith("\r\n")) text += "\r\n";
  return `${text.replace(/^\./gm, "..")}.\r\n`;
}

async function deliverAll(port: number, messages: readonly string[]): Promise<number> {
  let next = 0;
  let accepted = 0;
  async function connection(): Promise<void> {
    const client: LineClient = await connectPlainClient(port);
    await client.line();
    client.write("LHLO bench.example\r\n");
    while (!(await client.line()).startsWith("250 ")) {}
    for (let n = next++; n < messages.length; n = next++) {
      client.write(
        `MAIL FROM:<sender@example.test>\r\nRCPT TO:<${BENCH_ADDRESS}>\r\nDATA\r\n${messages[n] as string}`,
      );
      for (let i = 0; i < 3; i++) await client.line(30_000);
      if ((await client.line(30_000)).startsWith("250 ")) accepted++;
    }
    client.write("QUIT\r\n");
    client.socket.destroy();
  }
  await Promise.all(Array.from({ length: CONNECTIONS }, connection));
  return accepted;
}

const messages = [...generateCorpus(MESSAGES, { seed: 2033 })].map(asData);
const megabytes = messages.reduce((sum, m) => sum + m.length, 0) / 1024 / 1024;
/** Postfach's main-thread CPU milliseconds per message of each run (SQLite and PostgreSQL runs alike). */
const mainThreadCpuPerMessage: number[] = [];
/** Server CPU milliseconds per message of each run, by target. */
const cpuPerMessage = new Map<TargetName, number[]>();
function recordCpu(target: TargetName, cpuMs: number): void {
  cpuPerMessage.set(target, [...(cpuPerMessage.get(target) ?? []), cpuMs / MESSAGES]);
}
async function deliverToPostfach(store: BenchStore): Promise<number> {
  // The same empty store every run, so run-all.ts creates it (and hashes the password) once for SQLite;
  // PostgreSQL gets a fresh schema each run.
  const fill = await fillMailbox(0, 1, 2033, true, store);
  try {
    const server = await startBenchServer(fill.dataDir, ["lmtp"], {}, fill.store);
    let accepted = 0;
    let ms = 0;
    const mainBefore = mainThreadCpuMs(server.pid);
    const cpuMs = await serverCpuDuring(server.pid, async () => {
      ms = await timeMs(async () => {
        accepted = await deliverAll(server.port("lmtp"), messages);
      });
    });
    recordCpu(store === "postgres" ? "postgres" : "postfach", cpuMs);
    mainThreadCpuPerMessage.push((mainThreadCpuMs(server.pid) - mainBefore) / MESSAGES);
    await server.stop();
    assert.equal(accepted, MESSAGES, `${store}: every message was acknowledged`);
    const services = await openServices({ ...defaultConfig(), dataDir: fill.dataDir, store: fill.store });
    try {
      const account = await services.store.accounts.findByAddress(BENCH_ADDRESS);
      assert.ok(account);
      const inbox = await services.store.mailboxes.findByName(account.id, "INBOX");
      const entries = await services.store.messages.listEntries(inbox?.id ?? ("" as never));
      assert.equal(entries.length, MESSAGES, `${store}: every message is stored`);
    } finally {
      await services.close();
    }
    return MESSAGES / (ms / 1000);
  } finally {
    await fill.remove();
  }
}

async function deliverToDovecot(): Promise<number> {
  const dovecot = await startDovecot({ messages: 0, distinct: 1, seed: 2033 });
  try {
    let accepted = 0;
    let ms = 0;
    const cpuMs = await serverCpuDuring(dovecot.pid, async () => {
      ms = await timeMs(async () => {
        accepted = await deliverAll(dovecot.port("lmtp"), messages);
      });
    });
    recordCpu("dovecot", cpuMs);
    assert.equal(accepted, MESSAGES, "dovecot: every message was acknowledged");
    let stored = 0;
    for (const sub of ["new", "cur"]) stored += (await readdir(join(dovecot.maildir, sub))).length;
    assert.equal(stored, MESSAGES, "dovecot: every message is in the Maildir");
    return MESSAGES / (ms / 1000);
  } finally {
    await dovecot.remove();
  }
}

const targets = [
  { name: "postfach" as const },
  ...(options.isVsDovecot ? [{ name: "dovecot" as const }] : []),
  ...(options.isVsPostgres ? [{ name: "postgres" as const }] : []),
];
const rates = await alternate(targets, RUNS, (target) => {
  if (target.name === "dovecot") return deliverToDovecot();
  return deliverToPostfach(target.name === "postgres" ? "postgres" : "sqlite");
});
reportFigure(
  "deliver_lmtp",
  "messages/s",
  true,
  rates,
  `${MESSAGES} messages, ${megabytes.toFixed(1)} MB, ${CONNECTIONS} LMTP connections, one account`,
  options.resultsFile,
);
reportServerCpuPer("deliver_lmtp", cpuPerMessage, "message");
if (mainThreadCpuPerMessage.length > 0) {
  const shown = mainThreadCpuPerMessage.map((v) => Number(v.toPrecision(3)));
  console.log(`deliver_lmtp Postfach main-thread CPU per message: ${shown.join(", ")} ms`);
}

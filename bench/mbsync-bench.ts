// The mbsync_initial scenario of BENCHMARKS.md: Debian's isync (`mbsync`) pulls a whole INBOX (10,000
// messages; --quick 1,000) into an empty local Maildir, the first sync a new laptop does. Reports
// seconds; checks the number of files and their bytes in the local Maildir. Options: --runs N (default
// 3, --quick 1; a fresh local Maildir each, servers alternated), --vs-dovecot, --vs-postgres, --results-file F.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { BenchImapClient } from "./bench-imap-client.js";
import { parseBenchOptions } from "./bench-options.js";
import {
  BENCH_ADDRESS,
  BENCH_PASSWORD,
  type BenchServer,
  fillMailbox,
  startBenchServer,
} from "./bench-server.js";
import { alternate, reportFigure, type TargetName } from "./compare.js";
import { startDovecot } from "./dovecot-server.js";
import { ServerCpu, withServerCpu } from "./process-cpu.js";
import { timeMs } from "./stats.js";

const MBSYNC = "/usr/bin/mbsync";
const options = parseBenchOptions();
const MESSAGES = options.isQuick ? 1_000 : 10_000;
const RUNS = Number(options.runs ?? (options.isQuick ? 1 : 3));
// The same mailbox as pop3_retr_all, so run-all.ts fills it once for both.
const DISTINCT = Math.min(MESSAGES, 2_000);
const SEED = 4242;

if (!options.isSelected("mbsync_initial")) process.exit(0);
if (!existsSync(MBSYNC)) {
  console.error("mbsync_initial needs Debian's isync: apt-get install -y isync");
  process.exit(2);
}

/** An mbsyncrc pulling the server's INBOX into `localDir`/INBOX: plaintext IMAP on loopback, LOGIN. */
function mbsyncConfig(port: number, localDir: string): string {
  return [
    "IMAPAccount bench",
    "Host 127.0.0.1",
    `Port ${port}`,
    `User ${BENCH_ADDRESS}`,
    `Pass ${BENCH_PASSWORD}`,
    "SSLType None",
    "AuthMechs LOGIN",
    "",
    "IMAPStore server",
    "Account bench",
    "",
    "MaildirStore local",
    `Path ${localDir}/`,
    `Inbox ${localDir}/INBOX`,
    "",
    "Channel pull",
    "Far :server:",
    "Near :local:",
    "Patterns INBOX",
    "Create Near",
    "Sync Pull",
    "SyncState *",
    "",
  ].join("\n");
}

/**
 * Files in a Maildir folder (cur/ and new/) and their bytes as the server sent them: mbsync writes local
 * messages with the platform's LF (each counts as the CRLF it came from) and adds an X-TUID line.
 */
async function countMaildir(folder: string): Promise<{ files: number; crlfBytes: number }> {
  let files = 0;
  let crlfBytes = 0;
  for (const sub of ["cur", "new"]) {
    for (const name of await readdir(join(folder, sub))) {
      const file = await readFile(join(folder, sub, name));
      files++;
      // mbsync marks each message it stores with an X-TUID header line of its own (to find it again).
      const tuidAt = file.indexOf("X-TUID: ");
      const bytes =
        tuidAt === -1
          ? file
          : Buffer.concat([file.subarray(0, tuidAt), file.subarray(file.indexOf(10, tuidAt) + 1)]);
      let bareLineFeeds = 0;
      for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1))
        if (at === 0 || bytes[at - 1] !== 13) bareLineFeeds++;
      crlfBytes += bytes.length + bareLineFeeds;
    }
  }
  return { files, crlfBytes };
}

/** Bytes of the first pull, which every later pull (from either server) must equal. */
let pulledBytes: number | undefined;

async function pullOnce(name: TargetName, port: number, totalBytes: number): Promise<number> {
  const localDir = await mkdtemp(join(tmpdir(), "postfach-mbsync-"));
  try {
    const configPath = join(localDir, "mbsyncrc");
    await writeFile(configPath, mbsyncConfig(port, localDir), { mode: 0o600 });
    // mbsync fsyncs every file it writes: data other work left to write back (the fill copied for this
    // run, the last pull's files) would slow whichever pull came first after it.
    await promisify(execFile)("sync");
    const ms = await timeMs(async () => {
      try {
        await promisify(execFile)(MBSYNC, ["-c", configPath, "pull"], { maxBuffer: 16 * 1024 * 1024 });
      } catch (error) {
        const { stdout, stderr } = error as { stdout?: string; stderr?: string };
        throw new Error(`${name}: mbsync failed: ${stderr ?? ""}${stdout ?? ""}`, { cause: error });
      }
    });
    const local = await countMaildir(join(localDir, "INBOX"));
    assert.equal(local.files, MESSAGES, `${name}: every message is a file in the local Maildir`);
    // mbsync also normalizes a few line ends (26 bytes of 13.8 MB, the same from both servers): every
    // pull must give the same bytes, and those within 0.01 % of what the server holds.
    pulledBytes ??= local.crlfBytes;
    assert.equal(local.crlfBytes, pulledBytes, `${name}: the same bytes as every other pull`);
    assert.ok(Math.abs(local.crlfBytes - totalBytes) <= totalBytes / 10_000, `${name}: every byte arrived`);
    return ms / 1000;
  } finally {
    await rm(localDir, { recursive: true, force: true });
  }
}

// Both stores are filled at once (CPU and fsyncs for Postfach, file writes for Dovecot).
const [filled, started, filledPostgres] = await Promise.allSettled([
  fillMailbox(MESSAGES, DISTINCT, SEED, true),
  options.isVsDovecot ? startDovecot({ messages: MESSAGES, distinct: DISTINCT, seed: SEED }) : null,
  options.isVsPostgres ? fillMailbox(MESSAGES, DISTINCT, SEED, false, "postgres") : null,
]);
const fill = filled.status === "fulfilled" ? filled.value : null;
const dovecot = started.status === "fulfilled" ? started.value : null;
const postgresFill = filledPostgres.status === "fulfilled" ? filledPostgres.value : null;
let server: BenchServer | null = null;
let postgresServer: BenchServer | null = null;
try {
  if (!fill) throw filled.status === "rejected" ? filled.reason : new Error("no fill");
  if (started.status === "rejected") throw started.reason;
  if (filledPostgres.status === "rejected") throw filledPostgres.reason;
  server = await startBenchServer(fill.dataDir, ["imap"]);
  if (postgresFill)
    postgresServer = await startBenchServer(postgresFill.dataDir, ["imap"], {}, postgresFill.store);
  if (dovecot)
    assert.equal(dovecot.corpus.totalBytes, fill.totalBytes, "both servers hold the same messages");
  if (postgresFill)
    assert.equal(postgresFill.totalBytes, fill.totalBytes, "both stores hold the same messages");
  const targets = [
    { name: "postfach" as const, port: server.port("imap"), pid: server.pid },
    ...(dovecot ? [{ name: "dovecot" as const, port: dovecot.port("imap"), pid: dovecot.pid }] : []),
    ...(postgresServer
      ? [{ name: "postgres" as const, port: postgresServer.port("imap"), pid: postgresServer.pid }]
      : []),
  ];
  // An untimed first SELECT: Dovecot builds its index files from the Maildir here, as Postfach did
  // while filling its store.
  for (const { port } of targets) {
    const client = await BenchImapClient.connect(port);
    assert.match((await client.command(`LOGIN ${BENCH_ADDRESS} ${BENCH_PASSWORD}`)).status, /^OK/);
    assert.match((await client.command("SELECT INBOX")).status, /^OK/);
    client.close();
  }
  const totalBytes = fill.totalBytes;
  // The servers' CPU beside the wall time: mbsync writes and fsyncs a file per message, which may bound
  // the pull whichever server sends the messages.
  const cpu = new ServerCpu();
  const times = await alternate(targets, RUNS, ({ name, port, pid }) =>
    withServerCpu(pid, cpu, name, () => pullOnce(name, port, totalBytes)),
  );
  reportFigure(
    "mbsync_initial",
    "s",
    false,
    times,
    `mbsync ${MESSAGES} messages, ${(fill.totalBytes / 1024 / 1024).toFixed(1)} MB into an empty Maildir`,
    options.resultsFile,
  );
  cpu.report("mbsync_initial");
} finally {
  await server?.stop();
  await postgresServer?.stop();
  await dovecot?.remove();
  await fill?.remove();
  await postgresFill?.remove();
}

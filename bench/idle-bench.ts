// The idle_fanout scenario of BENCHMARKS.md: many IMAP connections in IDLE — one per account over many
// accounts, and many on one account — the server's RSS before and after (KB per connection), then one
// LMTP delivery to the shared account and the push latency to every IDLE connection (p50/p99).
// Options: --quick (200 accounts, 50 connections on the shared account), --runs N deliveries (default 20).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { UserAdmin } from "../src/admin/user-admin.js";
import { defaultConfig } from "../src/config/config.js";
import { openServices } from "../src/main.js";
import { startBenchServer } from "./bench-server.js";
import { report } from "./stats.js";

const { values } = parseArgs({
  options: { quick: { type: "boolean" }, runs: { type: "string" } },
  strict: false,
});
const ACCOUNTS = values.quick ? 200 : 2_000;
const SHARED_CONNECTIONS = values.quick ? 50 : 200;
const DELIVERIES = Number(values.runs ?? 20);
const PASSWORD = "idle-bench-password";
const SHARED = "shared@example.test";

/** An IMAP connection in IDLE that records when it sees each EXISTS. */
class IdleConnection {
  #text = "";
  #waiters: (() => void)[] = [];
  readonly existsAt: number[] = [];

  private constructor(private readonly socket: Socket) {
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      this.#text += chunk;
      for (const match of chunk.matchAll(/\* \d+ EXISTS\r\n/g))
        if (match) this.existsAt.push(performance.now());
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  static async open(port: number, address: string): Promise<IdleConnection> {
    const socket = connect({ host: "127.0.0.1", port });
    await new Promise((resolve) => socket.once("connect", resolve));
    const connection = new IdleConnection(socket);
    socket.write(`a LOGIN ${address} ${PASSWORD}\r\nb SELECT INBOX\r\nc IDLE\r\n`);
    await connection.until((text) => text.includes("+ idling"));
    connection.existsAt.length = 0;
    return connection;
  }

  async until(predicate: (text: string) => boolean): Promise<void> {
    while (!predicate(this.#text)) {
      if (this.#text.includes("* BYE")) throw new Error(`server said goodbye: ${this.#text}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
}

async function deliver(port: number, count: number): Promise<number> {
  const socket = connect({ host: "127.0.0.1", port });
  socket.setEncoding("latin1");
  let text = "";
  const replies = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () =>
        (text.match(/^\d{3} /gm)?.length ?? 0) >= n ? resolve() : socket.once("data", onData);
      const onData = (chunk: string) => {
        text += chunk;
        check();
      };
      check();
    });
  socket.on("data", () => {});
  await replies(1);
  socket.write("LHLO bench\r\n");
  await replies(2);
  socket.write(`MAIL FROM:<sender@example.org>\r\nRCPT TO:<${SHARED}>\r\nDATA\r\n`);
  await replies(5);
  const sentAt = performance.now();
  socket.write(`Subject: push ${count}\r\n\r\nhello\r\n.\r\n`);
  await replies(6);
  socket.end("QUIT\r\n");
  return sentAt;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const dataDir = await mkdtemp(join(tmpdir(), "postfach-idle-bench-"));
try {
  const services = await openServices({ ...defaultConfig(), dataDir });
  // A cheap scrypt cost for the bench's thousands of accounts: the server verifies with the cost
  // stored in each hash, so logins stay correct, only faster to set up.
  const users = new UserAdmin(services.store, services.mailboxes, {
    defaultQuota: { storageBytes: null, messages: null },
    createSpecialUseFolders: false,
    scryptCost: { ln: 4, r: 8, p: 1 },
  });
  await users.add(SHARED, PASSWORD);
  for (let i = 0; i < ACCOUNTS; i++) await users.add(`idle${i}@example.test`, PASSWORD);
  await services.close();

  // Every connection comes from 127.0.0.1: lift the per-IP limit meant for the internet.
  // The accounts' cheap hashes are what the server hashes to as well, or every first login would
  // rehash (by design) and the bench would measure scrypt instead of IDLE.
  const server = await startBenchServer(dataDir, ["imap", "lmtp"], {
    limits: { max_connections: 20_000, max_connections_per_ip: 20_000, max_sessions_per_account: 1_000 },
    auth: { scrypt_log2_cost: 4 },
  });
  const pid = server.pid;
  // The baseline is taken after a few connections have warmed the code paths up, so it does not count
  // the compiled code and caches every server carries anyway.
  const connections: IdleConnection[] = [];
  const WARM_UP = 20;
  for (let i = 0; i < WARM_UP; i++)
    connections.push(await IdleConnection.open(server.port("imap"), `idle${i}@example.test`));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const before = rssKb(pid);
  for (let i = WARM_UP; i < ACCOUNTS; i++)
    connections.push(await IdleConnection.open(server.port("imap"), `idle${i}@example.test`));
  const watchers: IdleConnection[] = [];
  for (let i = 0; i < SHARED_CONNECTIONS; i++)
    watchers.push(await IdleConnection.open(server.port("imap"), SHARED));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = rssKb(pid);
  const added = ACCOUNTS - WARM_UP + SHARED_CONNECTIONS;
  report(
    "idle_memory",
    (after - before) / added,
    "KB/connection",
    `${added} more connections in IDLE, RSS ${before} → ${after} KB`,
  );

  const latencies: number[] = [];
  for (let run = 0; run < DELIVERIES; run++) {
    const sentAt = await deliver(server.port("lmtp"), run);
    for (const watcher of watchers) {
      await watcher.until(() => watcher.existsAt.length > run);
      latencies.push((watcher.existsAt[run] as number) - sentAt);
    }
  }
  latencies.sort((a, b) => a - b);
  assert.equal(latencies.length, DELIVERIES * SHARED_CONNECTIONS, "every watcher saw every delivery");
  report(
    "idle_push_p50",
    percentile(latencies, 50),
    "ms",
    `end of DATA → EXISTS on each of ${SHARED_CONNECTIONS} IDLE connections, ${DELIVERIES} deliveries`,
  );
  report("idle_push_p99", percentile(latencies, 99), "ms", "same");
  for (const connection of [...connections, ...watchers]) connection.close();
  await server.stop();
} finally {
  await rm(dataDir, { recursive: true, force: true });
}

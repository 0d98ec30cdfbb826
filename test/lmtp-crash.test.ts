// Durability of LMTP delivery (RFC 2033 §4.2): a `postfach serve` child is killed with SIGKILL at random
// moments during 200 deliveries, over several restarts. Every recipient that got 250 has its message,
// intact, after restart; no message that is visible is cut short or damaged.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { connectPlainClient } from "../src/net/line-client.testkit.js";
import { openSqliteStore } from "../src/store/sqlite/sqlite-store.js";
import { withoutTrace } from "./helpers/inbound-server.js";

const CLI = new URL("../src/cli/postfach.js", import.meta.url).pathname;
const TOTAL = 200;
const CONNECTIONS = 4;
const RECIPIENTS = ["alice@example.test", "bob@example.test"];

/** Message n: its bytes identify it, and a body long enough that a torn write would show. */
function messageFor(n: number): string {
  const line = `line of message ${n} `.padEnd(70, "x");
  return `Subject: crash ${n}\r\nMessage-ID: <crash${n}@remote.example>\r\n\r\n${`${line}\r\n`.repeat(40 + (n % 200))}end ${n}\r\n`;
}

/** Message n goes to alice only when n is even, to alice and bob (two copies, one body) when odd. */
const recipientsOf = (n: number): readonly string[] => (n % 2 === 0 ? RECIPIENTS.slice(0, 1) : RECIPIENTS);

async function startServer(configPath: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [CLI, "serve", "--config", configPath], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let banner = "";
  child.stderr?.setEncoding("utf8");
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr?.on("data", (chunk: string) => {
      banner += chunk;
      const match = /lmtp\s+127\.0\.0\.1:(\d+)/.exec(banner);
      if (match) resolve(Number(match[1]));
    });
    child.on("exit", () => reject(new Error(`server exited: ${banner}`)));
  });
  return { child, port };
}

/** Sends messages from `next()` until it runs out or the server dies; records each 250 per recipient. */
async function sendUntilKilled(
  port: number,
  next: () => number | undefined,
  acknowledged: Set<string>,
  onAcknowledged: () => void,
): Promise<void> {
  const client = await connectPlainClient(port).catch(() => undefined);
  if (!client) return;
  try {
    await client.line();
    client.write("LHLO crash.example\r\n");
    while (!(await client.line()).startsWith("250 ")) {}
    for (let n = next(); n !== undefined; n = next()) {
      const to = recipientsOf(n);
      client.write(
        `MAIL FROM:<s@remote.example>\r\n${to.map((r) => `RCPT TO:<${r}>\r\n`).join("")}DATA\r\n${messageFor(n)}.\r\n`,
      );
      for (let i = 0; i < to.length + 2; i++) await client.line(10_000);
      for (const recipient of to) {
        const reply = await client.line(10_000);
        if (reply.startsWith("250 ")) {
          acknowledged.add(`${n} ${recipient}`);
          onAcknowledged();
        }
      }
    }
    client.write("QUIT\r\n");
  } catch {
    // The server was killed: whatever was not acknowledged may or may not have landed.
  } finally {
    client.socket.destroy();
  }
}

describe("LMTP delivery under SIGKILL", () => {
  let dir = "";
  let configPath = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "postfach-lmtp-crash-"));
    const dataDir = join(dir, "data");
    configPath = join(dir, "postfach.toml");
    const sections = ["imap", "pop3", "lmtp", "smtp", "submission", "managesieve", "http"].flatMap(
      (proto) => [
        `[${proto}]`,
        `listen = [${proto === "lmtp" ? '"127.0.0.1:0"' : ""}]`,
        ...(proto === "imap" || proto === "pop3" || proto === "submission" ? ["tls_listen = []"] : []),
      ],
    );
    await writeFile(
      configPath,
      [`data_dir = "${dataDir}"`, "[log]", 'level = "warn"', ...sections].join("\n"),
    );
    const store = await openSqliteStore({ dataDir });
    for (const address of RECIPIENTS) {
      await store.accounts.create({
        address,
        passwordHash: "x",
        quota: { storageBytes: null, messages: null },
      });
    }
    await store.close();
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it(`keeps every acknowledged message of ${TOTAL} intact across SIGKILLs at random moments`, async () => {
    const acknowledged = new Set<string>();
    let sent = 0;
    let kills = 0;
    while (sent < TOTAL) {
      const { child, port } = await startServer(configPath);
      const exited = new Promise((resolve) => child.once("exit", resolve));
      // The kill comes a random 0-15 ms after a random number of 250s, so it lands anywhere: while
      // data arrives, between blob fsync and commit, between a commit and its reply.
      const killAfter = 10 + Math.floor(Math.random() * 40);
      let acksThisRound = 0;
      let killTimer: NodeJS.Timeout | undefined;
      const onAcknowledged = () => {
        if (++acksThisRound !== killAfter) return;
        killTimer = setTimeout(() => {
          kills++;
          child.kill("SIGKILL");
        }, Math.random() * 15);
      };
      const next = () => (sent < TOTAL ? sent++ : undefined);
      const senders = Array.from({ length: CONNECTIONS }, () =>
        sendUntilKilled(port, next, acknowledged, onAcknowledged),
      );
      await Promise.all(senders);
      clearTimeout(killTimer);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    }
    assert.ok(kills >= 2, `the server was killed mid-delivery ${kills} times`);
    assert.ok(acknowledged.size > 0);

    const store = await openSqliteStore({ dataDir: join(dir, "data") });
    try {
      const found = new Set<string>();
      for (const address of RECIPIENTS) {
        const account = await store.accounts.findByAddress(address);
        assert.ok(account);
        const inbox = await store.mailboxes.findByName(account.id, "INBOX");
        assert.ok(inbox);
        const entries = await store.messages.listEntries(inbox.id);
        const summaries = await store.messages.getEmailSummaries(entries.map((e) => e.emailId));
        for (const entry of entries) {
          const summary = summaries.get(entry.emailId);
          assert.ok(summary, `entry ${entry.uid} has its email`);
          const raw = await store.blobs.read(summary.blobHash);
          assert.equal(raw.length, summary.size, "stored size matches the bytes");
          assert.match(
            raw.toString("latin1"),
            new RegExp(`^Return-Path: <s@remote\\.example>\\r\\nDelivered-To: ${address}\\r\\n`),
          );
          const n = Number(/^Subject: crash (\d+)\r\n/.exec(withoutTrace(raw).toString("latin1"))?.[1]);
          assert.ok(Number.isInteger(n), `visible message ${entry.uid} of ${address} is one we sent`);
          assert.equal(withoutTrace(raw).toString("latin1"), messageFor(n), `message ${n} is intact`);
          found.add(`${n} ${address}`);
        }
      }
      const lost = [...acknowledged].filter((key) => !found.has(key));
      assert.deepEqual(lost, [], "every 250 survived");
    } finally {
      await store.close();
    }
  });
});

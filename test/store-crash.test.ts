// Durability under kill -9: a child appends in a loop and is killed at random moments, many times.
// Every message the store acknowledged must be present and intact; no partial message may be visible.
// REPLACE (RFC 8508) under kill -9 leaves exactly one of the old and the new message, never both or none.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openSqliteStore } from "../src/store/sqlite/sqlite-store.js";

const CHILD = new URL("./helpers/crash-append-child.js", import.meta.url).pathname;
const ROUNDS = 12;
const ADDRESS = "crash@example.test";

interface Ack {
  readonly uid: number;
  readonly sha256: string;
}

/**
 * Starts the child, waits for its first acknowledged append (so every round makes progress however
 * loaded the machine is), kills it `killAfterMs` later, returns its acknowledgements.
 */
function runAndKill(dataDir: string, killAfterMs: number, mode = "append"): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dataDir, ADDRESS, mode], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let stderr = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      const hadAck = output.includes("ACK ");
      output += chunk;
      if (!hadAck && output.includes("ACK ")) setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("exit", (_code, signal) => {
      if (signal !== "SIGKILL") return reject(new Error(`child exited on its own: ${stderr}`));
      const acks = output
        .split("\n")
        .filter((line) => line.startsWith("ACK "))
        .map((line) => {
          const [, uid, sha256] = line.split(" ");
          return { uid: Number(uid), sha256: sha256 as string };
        });
      resolve(acks);
    });
  });
}

test("acknowledged appends survive kill -9 intact and no partial message is ever visible", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "postfach-crash-"));
  try {
    const acknowledged: Ack[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      acknowledged.push(...(await runAndKill(dataDir, 40 + ((round * 137) % 400))));

      const store = await openSqliteStore({ dataDir });
      try {
        const account = await store.accounts.findByAddress(ADDRESS);
        assert.ok(account, "the account survives");
        const inbox = await store.mailboxes.findByName(account.id, "INBOX");
        assert.ok(inbox);
        const entries = await store.messages.listEntries(inbox.id);
        const byUid = new Map(entries.map((e) => [e.uid as number, e]));
        for (const ack of acknowledged) {
          assert.ok(byUid.has(ack.uid), `acknowledged UID ${ack.uid} is present after round ${round}`);
        }
        const summaries = await store.messages.getEmailSummaries(entries.map((e) => e.emailId));
        const ackedHash = new Map(acknowledged.map((a) => [a.uid, a.sha256]));
        for (const entry of entries) {
          const summary = summaries.get(entry.emailId);
          assert.ok(summary, `entry ${entry.uid} has its email`);
          const bytes = await store.blobs.read(summary.blobHash);
          const actual = createHash("sha256").update(bytes).digest("hex");
          assert.equal(actual, summary.blobHash, `visible message ${entry.uid} is complete`);
          assert.equal(bytes.length, entry.size);
          const expected = ackedHash.get(entry.uid);
          if (expected) assert.equal(actual, expected, `acknowledged message ${entry.uid} is the one sent`);
        }
        assert.equal(inbox.messageCount, entries.length, "the mailbox count matches its entries");
      } finally {
        await store.close();
      }
    }
    assert.ok(acknowledged.length >= ROUNDS, `the child made progress (${acknowledged.length} acks)`);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test("REPLACE killed at any moment leaves exactly one draft, the last acknowledged or its successor", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "postfach-crash-replace-"));
  try {
    let lastAck: Ack | undefined;
    for (let round = 0; round < 8; round++) {
      const acks = await runAndKill(dataDir, 30 + ((round * 211) % 300), "replace");
      lastAck = acks.at(-1) ?? lastAck;
      const store = await openSqliteStore({ dataDir });
      try {
        const account = await store.accounts.findByAddress(ADDRESS);
        assert.ok(account);
        const inbox = await store.mailboxes.findByName(account.id, "INBOX");
        assert.ok(inbox);
        const entries = await store.messages.listEntries(inbox.id);
        assert.equal(entries.length, 1, `round ${round}: one message, not both and not neither`);
        assert.equal((await store.accounts.get(account.id))?.messageCount, 1, "quota usage agrees");
        const entry = entries[0] as (typeof entries)[number];
        assert.ok(lastAck && entry.uid >= lastAck.uid, "nothing acknowledged was undone");
      } finally {
        await store.close();
      }
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

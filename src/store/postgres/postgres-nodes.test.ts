// Two PostgreSQL stores on one schema, as two Postfach nodes on one database: concurrent appends get
// distinct consecutive UIDs, a change committed on one reaches the other's subscribers (LISTEN/NOTIFY),
// nodes starting at once migrate once, random concurrent writes leave every counter consistent with the
// entries, and large streamed bodies read back by range.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { seededRandom } from "../../../bench/corpus.js";
import type { AccountId, MailboxId, ModSeq, Uid } from "../../kit/ids.js";
import { storeTestMessage } from "../contract/mail-store-contract.js";
import type { ChangeEvent, MailStore } from "../mail-store.js";
import { migratePostgresStore } from "./postgres-store.js";
import {
  createTestSchema,
  describeWithPostgres,
  dropTestSchema,
  openTestStore,
  testPostgresUrl,
  withAdmin,
} from "./postgres-test-harness.js";

/** Bounds a wait that should end long before; a hang fails the test instead of stalling the run. */
const EVENT_WAIT_LIMIT_MS = 30_000;

function nextEvent(store: MailStore, accountId: AccountId, matches: (event: ChangeEvent) => boolean) {
  return new Promise<ChangeEvent>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error("no change event arrived"));
    }, EVENT_WAIT_LIMIT_MS);
    const unsubscribe = store.notifier.subscribe(accountId, (event) => {
      if (!matches(event)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(event);
    });
  });
}

await describeWithPostgres(() => {
  describe("PostgreSQL store: two nodes on one database", () => {
    let schema: string;
    let nodeA: MailStore;
    let nodeB: MailStore;
    let accountId: AccountId;
    let inbox: MailboxId;

    before(async () => {
      schema = await createTestSchema();
      // Both nodes start at once: the advisory lock lets one migrate while the other waits.
      [nodeA, nodeB] = await Promise.all([openTestStore(schema), openTestStore(schema)]);
      const account = await nodeA.accounts.create({
        address: "nodes@example.test",
        passwordHash: "$scrypt$test",
        quota: { storageBytes: null, messages: null },
      });
      accountId = account.id;
      inbox = (await nodeB.mailboxes.findByName(accountId, "INBOX"))?.id as MailboxId;
    });
    after(async () => {
      await nodeA.close();
      await nodeB.close();
      await dropTestSchema(schema);
    });

    it("migrated once and reports the current version on a second run", async () => {
      const report = await migratePostgresStore({ url: testPostgresUrl(), schema });
      assert.equal(report.from, report.to, "nothing left to apply");
      assert.ok(report.to >= 1);
    });

    it("hands out distinct consecutive UIDs to concurrent appends from both nodes", async () => {
      const appendFrom = (store: MailStore, count: number) =>
        Promise.all(
          Array.from({ length: count }, async () =>
            store.messages.append(accountId, inbox, await storeTestMessage(store)),
          ),
        );
      const [a, b] = await Promise.all([appendFrom(nodeA, 20), appendFrom(nodeB, 20)]);
      const uids = [...a, ...b].map((r) => r.uid).sort((x, y) => x - y);
      assert.deepEqual(
        uids,
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
      const modSeqs = new Set([...a, ...b].map((r) => r.modSeq));
      assert.equal(modSeqs.size, 40, "every append took its own modseq");
      const mailbox = await nodeA.mailboxes.get(accountId, inbox);
      assert.equal(mailbox?.messageCount, 40);
      assert.equal(mailbox?.uidNext, 41);
      assert.equal((await nodeB.accounts.get(accountId))?.messageCount, 40);
    });

    it("delivers a change committed on one node to the other node's subscribers", async () => {
      const onA = nextEvent(nodeA, accountId, (event) => event.mailboxId === inbox);
      const appended = await nodeB.messages.append(accountId, inbox, await storeTestMessage(nodeB));
      const event = await onA;
      assert.equal(event.modSeq, appended.modSeq);
      assert.equal(event.accountId, accountId);

      const flagged = nextEvent(nodeB, accountId, (e) => e.modSeq > appended.modSeq);
      const result = await nodeA.messages.updateFlags(accountId, inbox, [appended.uid], {
        operation: "add",
        flags: { system: new Set(["\\Flagged"]), keywords: [] },
      });
      assert.equal((await flagged).modSeq, result.changed[0]?.modSeq as ModSeq);
      const changes = await nodeB.changes.mailboxChangesSince(
        inbox,
        (await nodeB.mailboxes.get(accountId, inbox))?.uidValidity ?? 0,
        appended.modSeq,
      );
      assert.deepEqual(
        changes.entries.map((e) => e.uid),
        [appended.uid],
      );
    });

    it("re-listens after losing its LISTEN connection and tells subscribers to catch up", async () => {
      const catchUp = nextEvent(nodeA, accountId, (event) => event.mailboxId === null);
      const terminated = await withAdmin((client) =>
        client.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE datname = current_database() AND query = $1`,
          [`LISTEN "postfach.${schema}"`],
        ),
      );
      assert.ok((terminated.rowCount ?? 0) >= 2, "both nodes' LISTEN connections were cut");
      await catchUp;
      const onA = nextEvent(nodeA, accountId, (event) => event.mailboxId === inbox);
      const appended = await nodeB.messages.append(accountId, inbox, await storeTestMessage(nodeB));
      assert.equal((await onA).modSeq, appended.modSeq, "notifications flow again");
    });

    it("keeps counters, usage and the change log consistent under random concurrent writes from both nodes", async () => {
      const random = seededRandom(5);
      const work = await nodeA.mailboxes.create(accountId, "Work", null);
      const mailboxes = [inbox, work.id];
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
      const someUids = () =>
        Array.from({ length: 1 + Math.floor(random() * 4) }, () => (1 + Math.floor(random() * 60)) as Uid);
      const flag = () => ({
        system: new Set([pick(["\\Seen", "\\Deleted", "\\Flagged"] as const)]),
        keywords: [],
      });
      // Operations chosen up front (the random source is not shared across awaits), run by 3 workers per node.
      const plans = Array.from({ length: 6 }, () =>
        Array.from({ length: 20 }, () => ({
          op: Math.floor(random() * 6),
          from: pick(mailboxes),
          to: pick(mailboxes),
          uids: someUids(),
          flags: flag(),
        })),
      );
      await Promise.all(
        plans.map(async (plan, worker) => {
          const store = worker % 2 === 0 ? nodeA : nodeB;
          for (const step of plan) {
            if (step.op === 0 || step.op === 1) {
              await store.messages.append(
                accountId,
                step.from,
                await storeTestMessage(store, { flags: step.flags }),
              );
            } else if (step.op === 2) {
              await store.messages.updateFlags(accountId, step.from, step.uids, {
                operation: "add",
                flags: step.flags,
              });
            } else if (step.op === 3) {
              await store.messages.updateFlags(accountId, step.from, step.uids, {
                operation: "remove",
                flags: step.flags,
              });
            } else if (step.op === 4) {
              await store.messages.expunge(accountId, step.from, step.uids, { onlyDeleted: true });
            } else if (step.from !== step.to) {
              await (random() < 0.5 ? store.messages.copy : store.messages.move).call(
                store.messages,
                accountId,
                step.from,
                step.uids,
                step.to,
              );
            }
          }
        }),
      );
      let totalCount = 0;
      let totalBytes = 0;
      for (const mailboxId of mailboxes) {
        const entries = await nodeB.messages.listEntries(mailboxId);
        const mailbox = await nodeA.mailboxes.get(accountId, mailboxId);
        assert.ok(mailbox);
        assert.equal(new Set(entries.map((e) => e.uid)).size, entries.length, "no UID twice");
        assert.ok(
          entries.every((e) => e.uid < mailbox.uidNext),
          "every UID below UIDNEXT",
        );
        assert.equal(mailbox.messageCount, entries.length, "message count");
        assert.equal(
          mailbox.unseenCount,
          entries.filter((e) => !e.flags.system.has("\\Seen")).length,
          "unseen count",
        );
        assert.equal(
          mailbox.deletedCount,
          entries.filter((e) => e.flags.system.has("\\Deleted")).length,
          "deleted count",
        );
        const bytes = entries.reduce((sum, e) => sum + e.size, 0);
        assert.equal(mailbox.totalBytes, bytes, "mailbox bytes");
        assert.equal(mailbox.highestModSeq, Math.max(mailbox.highestModSeq, ...entries.map((e) => e.modSeq)));
        const replay = await nodeA.changes.mailboxChangesSince(mailboxId, mailbox.uidValidity, 0 as ModSeq);
        assert.deepEqual(replay.entries, entries, "the change log from 0 gives the mailbox");
        totalCount += entries.length;
        totalBytes += bytes;
      }
      const account = await nodeB.accounts.get(accountId);
      assert.equal(account?.messageCount, totalCount, "account message count");
      assert.equal(account?.usedBytes, totalBytes, "account usage");
    });

    it("streams a large body in and reads any range of it back, deduplicated across nodes", async () => {
      const lines: string[] = ["Subject: large", ""];
      for (let i = 0; i < 60_000; i++)
        lines.push(`line ${i} ${createHash("md5").update(String(i)).digest("hex")}`);
      const bytes = Buffer.from(lines.join("\r\n"));
      async function* pieces() {
        for (let offset = 0; offset < bytes.length; offset += 7_777)
          yield bytes.subarray(offset, offset + 7_777);
      }
      const stored = await nodeA.blobs.put(pieces());
      assert.equal(stored.hash, createHash("sha256").update(bytes).digest("hex"));
      assert.equal(stored.size, bytes.length);
      assert.ok(bytes.length > 10 * 256 * 1024, "more chunks than one range query fetches");
      assert.equal((await nodeB.blobs.put(bytes)).hash, stored.hash, "the other node finds it by content");
      assert.deepEqual(await nodeB.blobs.read(stored.hash), bytes);
      for (const [start, end] of [
        [0, 10],
        [262_140, 262_150],
        [100_000, 900_000],
        [300_000, bytes.length - 1_000],
        [bytes.length - 5, bytes.length + 100],
      ] as const) {
        const chunks: Buffer[] = [];
        for await (const chunk of nodeB.blobs.readRange(stored.hash, start, end))
          chunks.push(Buffer.from(chunk));
        assert.deepEqual(Buffer.concat(chunks), bytes.subarray(start, end), `range ${start}-${end}`);
      }
      await assert.rejects(nodeA.blobs.put(pieces(), 300_000), /maximum size/);
    });
  });
});

// The OutboundQueueRepository part of the store contract (docs/submission.md): recipients survive as
// rows, a due recipient is claimed by one poller at a time, retry and remove work by recipient or
// message id, a queued message keeps its blob from garbage collection, and a deleted account's queued
// mail stays queued.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MailStore, OutboundRecord } from "../mail-store.js";
import { type StoreHarness, storeForSuite } from "./mail-store-contract.js";

const ACCOUNT = { passwordHash: "x", quota: { storageBytes: null, messages: null } };

export function describeOutboundQueueContract(backend: string, harness: StoreHarness): void {
  describe(`OutboundQueueRepository contract: ${backend}`, () => {
    let store: MailStore;
    storeForSuite(harness, (opened) => {
      store = opened;
    });
    let counter = 0;

    /** A message of two recipients, queued; distinct ids per call so tests on a shared database agree. */
    async function enqueueMessage(createdAtMs: number): Promise<OutboundRecord[]> {
      const n = ++counter;
      const account = await store.accounts.create({
        address: `outbound${n}.${Date.now()}@example.test`,
        ...ACCOUNT,
      });
      const { hash, size } = await store.blobs.put(Buffer.from(`queued ${n} ${Date.now()} ${Math.random()}`));
      const messageId = `M${n}x${Date.now()}`;
      const records = ["a@remote.example", "b@remote.example"].map((recipient, i) => ({
        id: `${messageId}r${i}`,
        messageId,
        accountId: account.id,
        submissionId: i === 0 ? "Ssub" : null,
        returnPath: account.address,
        recipient,
        blobHash: hash,
        size,
        createdAtMs,
        nextAttemptAtMs: createdAtMs,
        attempts: 0,
        lastError: null,
      }));
      await store.outbound.enqueue(records);
      return records;
    }

    const mine = async (records: readonly OutboundRecord[]) =>
      (await store.outbound.list()).filter((r) => r.messageId === records[0]?.messageId);

    it("keeps enqueued recipients as given and their blob from garbage collection", async () => {
      const records = await enqueueMessage(1_000);
      assert.deepEqual(await mine(records), records);
      const hash = records[0]?.blobHash;
      assert.ok(hash);
      assert.equal(await store.messages.isBlobReferenced(hash), true);
      await store.blobs.collectGarbage((h) => store.messages.isBlobReferenced(h), 0);
      assert.equal(await store.blobs.has(hash), true, "a queued message keeps its blob");
      assert.equal(await store.outbound.remove([records[0]?.messageId ?? ""]), 2);
      assert.deepEqual(await mine(records), []);
      assert.equal(await store.messages.isBlobReferenced(hash), false);
    });

    it("claims a due recipient once until its lease runs out, and reschedules it", async () => {
      const countBefore = await store.outbound.count();
      const records = await enqueueMessage(2_000);
      assert.deepEqual(await store.outbound.count(), {
        queued: countBefore.queued + 2,
        deferred: countBefore.deferred,
      });
      const ids = new Set(records.map((r) => r.id));
      const claim = async (nowMs: number) =>
        (await store.outbound.claimDue(nowMs, nowMs + 1_000_000_000, 1000)).filter((r) => ids.has(r.id));
      assert.deepEqual(await claim(1_999), [], "not due before its time");
      const first = await claim(2_000);
      assert.equal(first.length, 2);
      assert.deepEqual(await claim(2_000), [], "leased recipients are not claimed again");
      const [one] = records;
      assert.ok(one);
      await store.outbound.reschedule(one.id, 1, 5_000, "451 4.3.0 try later");
      assert.deepEqual(
        await store.outbound.count(),
        { queued: countBefore.queued + 2, deferred: countBefore.deferred + 1 },
        "a rescheduled recipient counts as deferred",
      );
      const again = await claim(5_000);
      assert.equal(again.length, 1);
      assert.equal(again[0]?.attempts, 1);
      assert.equal(again[0]?.lastError, "451 4.3.0 try later");
      assert.equal(await store.outbound.retryNow(6_000, [one.messageId]), 2, "retry by message id");
      assert.equal((await claim(6_000)).length, 2);
      assert.equal(await store.outbound.remove([one.id]), 1, "remove by recipient id");
      assert.equal((await mine(records)).length, 1);
    });

    it("a deleted account's queued mail stays queued", async () => {
      const records = await enqueueMessage(3_000);
      const accountId = records[0]?.accountId;
      assert.ok(accountId);
      await store.accounts.delete(accountId);
      const left = await mine(records);
      assert.equal(left.length, 2);
      assert.equal(left[0]?.accountId, null);
    });
  });
}

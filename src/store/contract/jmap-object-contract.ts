// The JmapObjectRepository part of the store contract (RFC 8621 EmailSubmission and Identity objects):
// each account and type has its own counter, destroyed objects stay visible to changesSince as
// tombstones, a re-created id counts as created anew, and objects go with their account.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MailStore } from "../mail-store.js";
import { type StoreHarness, storeForSuite } from "./mail-store-contract.js";

const ACCOUNT = { passwordHash: "x", quota: { storageBytes: null, messages: null } };

export function describeJmapObjectContract(backend: string, harness: StoreHarness): void {
  describe(`JmapObjectRepository contract: ${backend}`, () => {
    let store: MailStore;
    storeForSuite(harness, (opened) => {
      store = opened;
    });
    let counter = 0;
    const newAccount = () =>
      store.accounts.create({ address: `objects${++counter}.${Date.now()}@example.test`, ...ACCOUNT });

    it("counts changes per account and type, keeps tombstones, and re-creates a destroyed id", async () => {
      const owner = await newAccount();
      const other = await newAccount();
      const objects = store.jmapObjects;
      assert.equal(await objects.highestModSeq(owner.id, "EmailSubmission"), 0);
      assert.equal(await objects.put(owner.id, "EmailSubmission", "S1", '{"a":1}'), 1);
      assert.equal(await objects.put(owner.id, "EmailSubmission", "S2", '{"a":2}'), 2);
      assert.equal(await objects.put(owner.id, "Identity", "I1", "{}"), 1, "another type counts on its own");
      assert.equal(await objects.put(other.id, "EmailSubmission", "S1", "{}"), 1, "another account too");
      assert.equal(await objects.put(owner.id, "EmailSubmission", "S1", '{"a":3}'), 3);
      assert.deepEqual(await objects.list(owner.id, "EmailSubmission"), [
        { id: "S1", data: '{"a":3}', createdModSeq: 1, modSeq: 3 },
        { id: "S2", data: '{"a":2}', createdModSeq: 2, modSeq: 2 },
      ]);
      assert.equal(await objects.destroy(owner.id, "EmailSubmission", "S2"), true);
      assert.equal(await objects.destroy(owner.id, "EmailSubmission", "S2"), false, "already destroyed");
      assert.equal(await objects.destroy(owner.id, "EmailSubmission", "Snone"), false);
      assert.equal(await objects.highestModSeq(owner.id, "EmailSubmission"), 4);
      assert.deepEqual(await objects.changesSince(owner.id, "EmailSubmission", 2), [
        { id: "S1", data: '{"a":3}', createdModSeq: 1, modSeq: 3 },
        { id: "S2", data: null, createdModSeq: 2, modSeq: 4 },
      ]);
      assert.deepEqual(
        (await objects.list(owner.id, "EmailSubmission")).map((o) => o.id),
        ["S1"],
      );
      assert.equal(await objects.put(owner.id, "EmailSubmission", "S2", "{}"), 5);
      assert.deepEqual(await objects.changesSince(owner.id, "EmailSubmission", 4), [
        { id: "S2", data: "{}", createdModSeq: 5, modSeq: 5 },
      ]);
      assert.deepEqual(
        (await objects.list(other.id, "EmailSubmission")).map((o) => o.id),
        ["S1"],
      );
    });

    it("objects go with their account", async () => {
      const owner = await newAccount();
      await store.jmapObjects.put(owner.id, "Identity", "I1", "{}");
      await store.accounts.delete(owner.id);
      assert.deepEqual(await store.jmapObjects.list(owner.id, "Identity"), []);
      assert.equal(await store.jmapObjects.highestModSeq(owner.id, "Identity"), 0);
    });
  });
}

// The LeaseRepository part of the store contract: one holder at a time, renewable by its holder, free
// again when it runs out or is given back, and never given back by someone else.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MailStore } from "../mail-store.js";
import { type StoreHarness, storeForSuite } from "./mail-store-contract.js";

export function describeLeaseContract(backend: string, harness: StoreHarness): void {
  describe(`LeaseRepository contract: ${backend}`, () => {
    let store: MailStore;
    storeForSuite(harness, (opened) => {
      store = opened;
    });

    it("grants a lease to one holder until it runs out or is given back", async () => {
      const name = `lease-${Date.now()}-${Math.random()}`;
      assert.equal(await store.leases.tryTake(name, "a", 1000, 2000), true, "free: a takes it");
      assert.equal(await store.leases.tryTake(name, "b", 1500, 2500), false, "held by a");
      assert.equal(await store.leases.tryTake(name, "a", 1500, 3000), true, "a renews it");
      assert.equal(await store.leases.tryTake(name, "b", 2500, 3500), false, "renewed to 3000");
      await store.leases.give(name, "b");
      assert.equal(await store.leases.tryTake(name, "b", 2600, 3600), false, "b cannot give back a's lease");
      assert.equal(await store.leases.tryTake(name, "b", 3001, 4000), true, "ran out: b takes it");
      await store.leases.give(name, "b");
      assert.equal(await store.leases.tryTake(name, "a", 3100, 5000), true, "given back: free again");
    });

    it("lets exactly one of several concurrent takers have it", async () => {
      const name = `race-${Date.now()}-${Math.random()}`;
      const taken = await Promise.all(
        ["n1", "n2", "n3", "n4"].map((holder) => store.leases.tryTake(name, holder, 1000, 9000)),
      );
      assert.equal(taken.filter(Boolean).length, 1);
    });
  });
}

// The SieveScriptRepository part of the store contract (RFC 5804 script storage, RFC 5230 reply
// de-duplication): one active script, limits on count and bytes checked in the write, rename and
// delete rules, and claimAutoReply granting one reply per key and period, even to concurrent claims.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MailStore } from "../mail-store.js";
import { type StoreHarness, storeForSuite } from "./mail-store-contract.js";

const ACCOUNT = { passwordHash: "x", quota: { storageBytes: null, messages: null } };
const ROOMY = { maxScripts: 10, maxTotalBytes: 10_000 };

export function describeSieveContract(backend: string, harness: StoreHarness): void {
  describe(`SieveScriptRepository contract: ${backend}`, () => {
    let store: MailStore;
    storeForSuite(harness, (opened) => {
      store = opened;
    });
    let counter = 0;
    const newAccount = () =>
      store.accounts.create({ address: `sieve${++counter}.${Date.now()}@example.test`, ...ACCOUNT });

    it("stores, replaces, activates one script at a time, renames and deletes", async () => {
      const owner = await newAccount();
      const other = await newAccount();
      const sieve = store.sieve;
      assert.deepEqual(await sieve.list(owner.id), []);
      assert.equal(await sieve.getActive(owner.id), undefined);
      assert.equal(await sieve.put(owner.id, "main", "keep;", ROOMY), "stored");
      assert.equal(await sieve.put(owner.id, "spare", "discard; # ü", ROOMY), "stored");
      assert.equal(await sieve.put(other.id, "main", "stop;", ROOMY), "stored");
      const spare = await sieve.get(owner.id, "spare");
      assert.equal(spare?.content, "discard; # ü");
      assert.equal(spare?.sizeBytes, Buffer.byteLength("discard; # ü"));
      assert.equal(spare?.isActive, false);
      assert.equal(await sieve.setActive(owner.id, "nope"), false);
      assert.equal(await sieve.setActive(owner.id, "main"), true);
      assert.equal(await sieve.setActive(owner.id, "spare"), true);
      assert.deepEqual(
        (await sieve.list(owner.id)).map((s) => [s.name, s.isActive]),
        [
          ["main", false],
          ["spare", true],
        ],
      );
      assert.equal((await sieve.getActive(owner.id))?.name, "spare");
      assert.equal(await sieve.getActive(other.id), undefined, "another account's scripts are its own");
      assert.equal(await sieve.put(owner.id, "spare", "keep;", ROOMY), "stored");
      assert.equal(
        (await sieve.getActive(owner.id))?.content,
        "keep;",
        "a replaced active script stays active",
      );
      assert.equal(await sieve.delete(owner.id, "spare"), "active");
      assert.equal(await sieve.rename(owner.id, "spare", "main"), "alreadyExists");
      assert.equal(await sieve.rename(owner.id, "gone", "x"), "nonexistent");
      assert.equal(await sieve.rename(owner.id, "spare", "renamed"), "renamed");
      assert.equal((await sieve.getActive(owner.id))?.name, "renamed", "a rename keeps it active");
      assert.equal(await sieve.setActive(owner.id, null), true);
      assert.equal(await sieve.getActive(owner.id), undefined);
      assert.equal(await sieve.delete(owner.id, "renamed"), "deleted");
      assert.equal(await sieve.delete(owner.id, "renamed"), "nonexistent");
      assert.deepEqual(
        (await sieve.list(owner.id)).map((s) => s.name),
        ["main"],
      );
      assert.equal((await sieve.get(other.id, "main"))?.content, "stop;");
    });

    it("refuses a script that passes the count or byte limit, but lets a replacement shrink", async () => {
      const owner = await newAccount();
      const limits = { maxScripts: 2, maxTotalBytes: 20 };
      const sieve = store.sieve;
      assert.equal(await sieve.put(owner.id, "a", "0123456789", limits), "stored");
      assert.equal(await sieve.put(owner.id, "b", "0123456789", limits), "stored");
      assert.equal(await sieve.put(owner.id, "c", "x", limits), "tooManyScripts");
      assert.equal(await sieve.put(owner.id, "b", "0123456789AB", limits), "accountFull");
      assert.equal(await sieve.put(owner.id, "b", "0123", limits), "stored");
      assert.equal((await sieve.get(owner.id, "b"))?.content, "0123");
      assert.equal(await sieve.delete(owner.id, "a"), "deleted");
      assert.equal(await sieve.put(owner.id, "c", "0123456789", limits), "stored");
    });

    it("grants one automatic reply per key and period, also to concurrent claims", async () => {
      const owner = await newAccount();
      const other = await newAccount();
      const sieve = store.sieve;
      const day = 86_400_000;
      const t0 = 1_800_000_000_000;
      const claims = await Promise.all(
        Array.from({ length: 5 }, () => sieve.claimAutoReply(owner.id, "bob@example.test h", t0, day)),
      );
      assert.equal(claims.filter(Boolean).length, 1);
      assert.equal(await sieve.claimAutoReply(owner.id, "bob@example.test h", t0 + day - 1, day), false);
      assert.equal(await sieve.claimAutoReply(owner.id, "bob@example.test other", t0, day), true);
      assert.equal(await sieve.claimAutoReply(other.id, "bob@example.test h", t0, day), true);
      assert.equal(await sieve.claimAutoReply(owner.id, "bob@example.test h", t0 + day, day), true);
      assert.equal(await sieve.claimAutoReply(owner.id, "bob@example.test h", t0 + day + 1, day), false);
    });

    it("goes with its account", async () => {
      const owner = await newAccount();
      await store.sieve.put(owner.id, "main", "keep;", ROOMY);
      await store.sieve.setActive(owner.id, "main");
      await store.sieve.claimAutoReply(owner.id, "k", 1, 1000);
      await store.accounts.delete(owner.id);
      assert.deepEqual(await store.sieve.list(owner.id), []);
    });
  });
}

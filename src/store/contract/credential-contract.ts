// The CredentialRepository part of the store contract: SCRAM keys bound to their password hash, the
// compare-and-set password write used by rehash-on-login, and application passwords with revocation.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AccountId } from "../../kit/ids.js";
import type { MailStore } from "../mail-store.js";
import { rejectsWith, type StoreHarness, storeForSuite } from "./mail-store-contract.js";

const QUOTA = { storageBytes: null, messages: null };
const KEYS = "{SCRAM-SHA-256}4096,c2FsdA==,AAAA,BBBB";
const MISSING = 999_999 as AccountId;

export function describeCredentialContract(backend: string, harness: StoreHarness): void {
  describe(`CredentialRepository contract: ${backend}`, () => {
    let store: MailStore;
    const sut = storeForSuite(harness, (opened) => {
      store = opened;
    });
    let seq = 0;
    const newAccount = () =>
      store.accounts.create({ address: `cred${++seq}@example.test`, passwordHash: "h0", quota: QUOTA });

    it("returns the hash without keys for a new account, undefined for none", async () => {
      const account = await newAccount();
      assert.deepEqual(await store.credentials.getPassword(account.id), {
        passwordHash: "h0",
        scramSha256: null,
      });
      assert.equal(await store.credentials.getPassword(MISSING), undefined);
    });

    it("sets hash and keys together, and the account record sees the new hash", async () => {
      const account = await newAccount();
      assert.equal(
        await store.credentials.setPassword(account.id, { passwordHash: "h1", scramSha256: KEYS }),
        true,
      );
      assert.deepEqual(await store.credentials.getPassword(account.id), {
        passwordHash: "h1",
        scramSha256: KEYS,
      });
      assert.equal((await store.accounts.get(account.id))?.passwordHash, "h1");
    });

    it("never returns keys left from an older hash (passwd through the account repository)", async () => {
      const account = await newAccount();
      await store.credentials.setPassword(account.id, { passwordHash: "h1", scramSha256: KEYS });
      await store.accounts.setPasswordHash(account.id, "h2");
      assert.deepEqual(await store.credentials.getPassword(account.id), {
        passwordHash: "h2",
        scramSha256: null,
      });
    });

    it("writes a rehash only if the hash is still the one verified (compare-and-set)", async () => {
      const account = await newAccount();
      const rehash = { passwordHash: "new", scramSha256: KEYS };
      assert.equal(await store.credentials.setPassword(account.id, rehash, "stale"), false);
      assert.equal((await store.credentials.getPassword(account.id))?.passwordHash, "h0");
      assert.equal(await store.credentials.setPassword(account.id, rehash, "h0"), true);
      assert.equal((await store.credentials.getPassword(account.id))?.passwordHash, "new");
      await rejectsWith(store.credentials.setPassword(MISSING, rehash), "nonexistent");
    });

    it("adds, lists, touches and revokes app passwords; labels are unique per account", async () => {
      const account = await newAccount();
      const other = await newAccount();
      const phone = await store.credentials.addAppPassword(account.id, { label: "phone", passwordHash: "p" });
      const laptop = await store.credentials.addAppPassword(account.id, {
        label: "laptop",
        passwordHash: "l",
      });
      await store.credentials.addAppPassword(other.id, { label: "phone", passwordHash: "o" });
      await rejectsWith(
        store.credentials.addAppPassword(account.id, { label: "phone", passwordHash: "x" }),
        "alreadyExists",
      );
      await rejectsWith(
        store.credentials.addAppPassword(MISSING, { label: "x", passwordHash: "x" }),
        "nonexistent",
      );
      assert.notEqual(phone.id, laptop.id);
      assert.equal(phone.lastUsedAtMs, null);
      assert.deepEqual((await store.credentials.listAppPasswords(account.id)).map((a) => a.label).sort(), [
        "laptop",
        "phone",
      ]);
      await store.credentials.touchAppPassword(account.id, phone.id, 1234);
      const touched = (await store.credentials.listAppPasswords(account.id)).find((a) => a.id === phone.id);
      assert.equal(touched?.lastUsedAtMs, 1234);
      await rejectsWith(store.credentials.revokeAppPassword(other.id, phone.id), "nonexistent");
      await store.credentials.revokeAppPassword(account.id, phone.id);
      assert.deepEqual(
        (await store.credentials.listAppPasswords(account.id)).map((a) => a.label),
        ["laptop"],
      );
      await rejectsWith(store.credentials.revokeAppPassword(account.id, phone.id), "nonexistent");
    });

    it("survives a reopen and goes away with the account", async () => {
      const account = await newAccount();
      await store.credentials.setPassword(account.id, { passwordHash: "h1", scramSha256: KEYS });
      await store.credentials.addAppPassword(account.id, { label: "tablet", passwordHash: "t" });
      store = await sut.reopen();
      assert.equal((await store.credentials.getPassword(account.id))?.scramSha256, KEYS);
      assert.equal((await store.credentials.listAppPasswords(account.id)).length, 1);
      await store.accounts.delete(account.id);
      assert.equal(await store.credentials.getPassword(account.id), undefined);
      assert.deepEqual(await store.credentials.listAppPasswords(account.id), []);
    });
  });
}

// The UploadRepository part of the store contract (JMAP uploads, RFC 8620 §6.1): an upload is found by
// its own account only, keeps its blob referenced (garbage collection spares it) until it expires, and
// goes with a deleted account.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AccountId } from "../../kit/ids.js";
import type { MailStore } from "../mail-store.js";
import { type StoreHarness, storeForSuite } from "./mail-store-contract.js";

const ACCOUNT = { passwordHash: "x", quota: { storageBytes: null, messages: null } };

export function describeUploadContract(backend: string, harness: StoreHarness): void {
  describe(`UploadRepository contract: ${backend}`, () => {
    let store: MailStore;
    storeForSuite(harness, (opened) => {
      store = opened;
    });
    let counter = 0;
    const newAccount = () =>
      store.accounts.create({ address: `upload${++counter}.${Date.now()}@example.test`, ...ACCOUNT });

    it("finds an upload by its own account only, and keeps its blob until it expires", async () => {
      const owner = await newAccount();
      const other = await newAccount();
      const bytes = Buffer.from(`uploaded ${Date.now()} ${Math.random()}`);
      const { hash, size } = await store.blobs.put(bytes);
      const record = {
        id: `U${counter}x${Date.now()}`,
        accountId: owner.id,
        blobHash: hash,
        size,
        type: "message/rfc822",
        createdAtMs: 1_000_000,
      };
      await store.uploads.add(record);
      assert.deepEqual(await store.uploads.get(owner.id, record.id), record);
      assert.equal(await store.uploads.get(other.id, record.id), undefined);
      assert.equal(await store.uploads.get(owner.id, "Unone"), undefined);
      assert.equal(await store.messages.isBlobReferenced(hash), true);
      await store.blobs.collectGarbage((h) => store.messages.isBlobReferenced(h), 0);
      assert.equal(await store.blobs.has(hash), true, "an unexpired upload keeps its blob");

      assert.equal(await store.uploads.expire(1_000_000), 0, "not before its time");
      assert.ok((await store.uploads.expire(1_000_001)) >= 1);
      assert.equal(await store.uploads.get(owner.id, record.id), undefined);
      assert.equal(await store.messages.isBlobReferenced(hash), false);
      await store.blobs.collectGarbage((h) => store.messages.isBlobReferenced(h), 0);
      assert.equal(await store.blobs.has(hash), false, "an expired upload's blob is garbage");
    });

    it("an upload goes with its account", async () => {
      const owner = await newAccount();
      const { hash, size } = await store.blobs.put(Buffer.from(`gone ${Date.now()}`));
      const id = `U${counter}y${Date.now()}`;
      const now = Date.now();
      await store.uploads.add({
        id,
        accountId: owner.id,
        blobHash: hash,
        size,
        type: "text/plain",
        createdAtMs: now,
      });
      await store.accounts.delete(owner.id as AccountId);
      assert.equal(await store.uploads.get(owner.id, id), undefined);
    });
  });
}

// The AclRepository part of the store contract (RFC 4314 ACL rows): set, replace and remove entries,
// the grants listing for shared namespaces, a published change per update, and that entries follow
// their mailbox (DELETE drops them, RENAME keeps them) and leave with a deleted grantee's account.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ChangeEvent, MailStore } from "../mail-store.js";
import { rejectsWith, type StoreHarness, storeForSuite } from "./mail-store-contract.js";

const ACCOUNT = { passwordHash: "x", quota: { storageBytes: null, messages: null } };

export function describeAclContract(backend: string, harness: StoreHarness): void {
  describe(`AclRepository contract: ${backend}`, () => {
    let store: MailStore;
    storeForSuite(harness, (opened) => {
      store = opened;
    });
    let counter = 0;
    const newAccount = () =>
      store.accounts.create({ address: `acl${++counter}.${Date.now()}@example.test`, ...ACCOUNT });

    it("sets, replaces and removes entries, listed by identifier", async () => {
      const owner = await newAccount();
      const box = await store.mailboxes.create(owner.id, "Team", null);
      await store.acl.set(owner.id, box.id, "zed@example.test", "lr");
      await store.acl.set(owner.id, box.id, "anyone", "l");
      await store.acl.set(owner.id, box.id, "zed@example.test", "lrswi");
      assert.deepEqual(await store.acl.list(owner.id, box.id), [
        { identifier: "anyone", rights: "l" },
        { identifier: "zed@example.test", rights: "lrswi" },
      ]);
      await store.acl.set(owner.id, box.id, "anyone", "");
      assert.deepEqual(await store.acl.list(owner.id, box.id), [
        { identifier: "zed@example.test", rights: "lrswi" },
      ]);
      // Removing an entry that is not there is no error.
      await store.acl.set(owner.id, box.id, "nobody@example.test", "");
    });

    it("refuses a mailbox of another account and an unknown one", async () => {
      const owner = await newAccount();
      const other = await newAccount();
      const box = await store.mailboxes.create(owner.id, "Mine", null);
      await rejectsWith(store.acl.set(other.id, box.id, "anyone", "l"), "nonexistent");
      assert.deepEqual(await store.acl.list(other.id, box.id), []);
    });

    it("lists the grants of other accounts for the given identifiers, with owner and rights", async () => {
      const owner = await newAccount();
      const grantee = await newAccount();
      const team = await store.mailboxes.create(owner.id, "Team", null);
      const open = await store.mailboxes.create(owner.id, "Open", null);
      await store.mailboxes.create(owner.id, "Private", null);
      await store.acl.set(owner.id, team.id, grantee.address, "lrs");
      await store.acl.set(owner.id, open.id, "anyone", "lr");
      const grants = await store.acl.listGrants([grantee.address, "anyone"], grantee.id);
      const mine = grants.filter((g) => g.ownerAddress === owner.address);
      assert.deepEqual(
        mine.map((g) => [g.mailbox.name, g.identifier, g.rights]),
        [
          ["Open", "anyone", "lr"],
          ["Team", grantee.address, "lrs"],
        ],
      );
      assert.equal(mine[0]?.mailbox.accountId, owner.id);
      // The owner's own grants are not "shared with" the owner.
      const own = await store.acl.listGrants([grantee.address, "anyone"], owner.id);
      assert.equal(own.filter((g) => g.ownerAddress === owner.address).length, 0);
      assert.deepEqual(await store.acl.listGrants([], grantee.id), []);
    });

    it("publishes a change of the mailbox for every update", async () => {
      const owner = await newAccount();
      const box = await store.mailboxes.create(owner.id, "Watched", null);
      const events: ChangeEvent[] = [];
      const stop = store.notifier.subscribe(owner.id, (event) => events.push(event));
      try {
        const before = (await store.mailboxes.get(owner.id, box.id))?.modSeq ?? 0;
        await store.acl.set(owner.id, box.id, "anyone", "lr");
        for (let i = 0; i < 50 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
        assert.ok(events.some((e) => e.mailboxId === box.id));
        const after = (await store.mailboxes.get(owner.id, box.id))?.modSeq ?? 0;
        assert.ok(after > before, "the mailbox's own modseq moves on");
      } finally {
        stop();
      }
    });

    it("keeps entries across RENAME, drops them with DELETE and with the grantee's account", async () => {
      const owner = await newAccount();
      const grantee = await newAccount();
      const box = await store.mailboxes.create(owner.id, "Before", null);
      await store.acl.set(owner.id, box.id, grantee.address, "lr");
      await store.mailboxes.rename(owner.id, box.id, "After");
      assert.deepEqual(await store.acl.list(owner.id, box.id), [
        { identifier: grantee.address, rights: "lr" },
      ]);
      const second = await store.mailboxes.create(owner.id, "Second", null);
      await store.acl.set(owner.id, second.id, grantee.address, "lr");
      await store.accounts.delete(grantee.id);
      assert.deepEqual(await store.acl.list(owner.id, second.id), []);
      await store.acl.set(owner.id, box.id, "anyone", "l");
      await store.mailboxes.delete(owner.id, box.id);
      assert.deepEqual(await store.acl.list(owner.id, box.id), []);
      const recreated = await store.mailboxes.create(owner.id, "After", null);
      assert.deepEqual(await store.acl.list(owner.id, recreated.id), []);
    });
  });
}

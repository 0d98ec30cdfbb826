// The DomainRepository part of the store contract: local domains, catch-alls and multi-target aliases
// (RFC 5321 §3.6). Every backend's test file calls describeDomainContract with its harness.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MailStore } from "../mail-store.js";
import { rejectsWith, type StoreHarness, storeForSuite } from "./mail-store-contract.js";

const ACCOUNT = { passwordHash: "x", quota: { storageBytes: null, messages: null } };

export function describeDomainContract(backend: string, harness: StoreHarness): void {
  describe(`DomainRepository contract: ${backend}`, () => {
    let store: MailStore;
    const sut = storeForSuite(harness, (opened) => {
      store = opened;
    });

    it("adds domains lower-case, refuses duplicates in any case, lists them sorted", async () => {
      const added = await store.domains.addDomain("Zeta.Example");
      assert.equal(added.name, "zeta.example");
      assert.equal(added.catchAll, null);
      await store.domains.addDomain("alpha.example");
      await rejectsWith(store.domains.addDomain("ZETA.example"), "alreadyExists");
      const names = (await store.domains.listDomains()).map((d) => d.name);
      assert.deepEqual(names, ["alpha.example", "zeta.example"]);
      assert.equal((await store.domains.getDomain("ALPHA.example"))?.name, "alpha.example");
    });

    it("treats added domains and the domains of accounts as local, others not", async () => {
      await store.accounts.create({ address: "owner@accounts-only.example", ...ACCOUNT });
      assert.equal(await store.domains.isLocalDomain("Alpha.Example"), true);
      assert.equal(await store.domains.isLocalDomain("accounts-only.example"), true);
      assert.equal(await store.domains.isLocalDomain("elsewhere.example"), false);
      assert.equal(await store.domains.isLocalDomain("example"), false);
    });

    it("keeps an alias with several targets, case-insensitively, and removes targets one by one", async () => {
      await store.domains.addAliasTarget("Sales@alpha.example", "bob@alpha.example");
      const alias = await store.domains.addAliasTarget("sales@ALPHA.example", "Alice@alpha.example");
      assert.deepEqual(alias, {
        address: "sales@alpha.example",
        targets: ["alice@alpha.example", "bob@alpha.example"],
      });
      await rejectsWith(
        store.domains.addAliasTarget("sales@alpha.example", "bob@alpha.example"),
        "alreadyExists",
      );
      assert.deepEqual((await store.domains.findAlias("SALES@alpha.example"))?.targets, [
        "alice@alpha.example",
        "bob@alpha.example",
      ]);
      await store.domains.removeAlias("sales@alpha.example", "bob@alpha.example");
      assert.deepEqual((await store.domains.findAlias("sales@alpha.example"))?.targets, [
        "alice@alpha.example",
      ]);
      await rejectsWith(store.domains.removeAlias("sales@alpha.example", "bob@alpha.example"), "nonexistent");
      await store.domains.removeAlias("sales@alpha.example");
      assert.equal(await store.domains.findAlias("sales@alpha.example"), undefined);
    });

    it("refuses aliases in non-local domains and on account addresses", async () => {
      await rejectsWith(
        store.domains.addAliasTarget("x@elsewhere.example", "a@alpha.example"),
        "nonexistent",
      );
      await rejectsWith(
        store.domains.addAliasTarget("owner@accounts-only.example", "a@alpha.example"),
        "alreadyExists",
      );
    });

    it("lists aliases per domain and in total", async () => {
      await store.domains.addAliasTarget("b@zeta.example", "t1@alpha.example");
      await store.domains.addAliasTarget("a@zeta.example", "t2@alpha.example");
      await store.domains.addAliasTarget("c@alpha.example", "t3@alpha.example");
      assert.deepEqual(
        (await store.domains.listAliases("ZETA.example")).map((a) => a.address),
        ["a@zeta.example", "b@zeta.example"],
      );
      assert.equal((await store.domains.listAliases()).length, 3);
    });

    it("sets and clears a catch-all, only on known domains", async () => {
      await store.domains.setCatchAll("zeta.example", "Postmaster@alpha.example");
      assert.equal((await store.domains.getDomain("zeta.example"))?.catchAll, "postmaster@alpha.example");
      await store.domains.setCatchAll("zeta.example", null);
      assert.equal((await store.domains.getDomain("zeta.example"))?.catchAll, null);
      await rejectsWith(store.domains.setCatchAll("nowhere.example", "a@alpha.example"), "nonexistent");
    });

    it("deletes a domain with its aliases, refuses while accounts live in it, survives a reopen", async () => {
      await store.domains.addDomain("accounts-only.example");
      await rejectsWith(store.domains.deleteDomain("accounts-only.example"), "cannot");
      await store.domains.deleteDomain("Zeta.example");
      await rejectsWith(store.domains.deleteDomain("zeta.example"), "nonexistent");
      assert.deepEqual(await store.domains.listAliases("zeta.example"), []);
      store = await sut.reopen();
      assert.deepEqual(
        (await store.domains.listDomains()).map((d) => d.name),
        ["accounts-only.example", "alpha.example"],
      );
      assert.deepEqual((await store.domains.findAlias("c@alpha.example"))?.targets, ["t3@alpha.example"]);
    });

    it("renames an account: same id and mail, alias targets, catch-all and ACL grants follow; taken addresses refused", async () => {
      await store.domains.addDomain("rename.example");
      const owner = await store.accounts.create({ address: "owner@rename.example", ...ACCOUNT });
      const old = await store.accounts.create({ address: "old@rename.example", ...ACCOUNT });
      await store.accounts.create({ address: "other@rename.example", ...ACCOUNT });
      const inbox = await store.mailboxes.findByName(owner.id, "INBOX");
      assert.ok(inbox);
      await store.acl.set(owner.id, inbox.id, "old@rename.example", "lr");
      await store.domains.addAliasTarget("team@rename.example", "old@rename.example");
      await store.domains.addAliasTarget("both@rename.example", "old@rename.example");
      await store.domains.addAliasTarget("both@rename.example", "new@rename.example");
      await store.domains.setCatchAll("rename.example", "old@rename.example");

      await rejectsWith(store.accounts.rename(old.id, "Other@rename.example"), "alreadyExists");
      await rejectsWith(store.accounts.rename(old.id, "team@rename.example"), "alreadyExists");
      const renamed = await store.accounts.rename(old.id, "New@Rename.example");
      assert.equal(renamed.id, old.id);
      assert.equal(renamed.address, "new@rename.example");
      assert.equal(await store.accounts.findByAddress("old@rename.example"), undefined);
      assert.equal((await store.accounts.findByAddress("new@rename.example"))?.id, old.id);
      assert.deepEqual((await store.domains.findAlias("team@rename.example"))?.targets, [
        "new@rename.example",
      ]);
      assert.deepEqual((await store.domains.findAlias("both@rename.example"))?.targets, [
        "new@rename.example",
      ]);
      assert.equal((await store.domains.getDomain("rename.example"))?.catchAll, "new@rename.example");
      assert.deepEqual(
        (await store.acl.list(owner.id, inbox.id)).map((e) => [e.identifier, e.rights]),
        [["new@rename.example", "lr"]],
      );
      await rejectsWith(store.accounts.rename(999_999 as typeof old.id, "x@rename.example"), "nonexistent");
    });
  });
}

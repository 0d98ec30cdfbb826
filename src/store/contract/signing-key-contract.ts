// The DkimKeyRepository and UrlAuthKeyRepository parts of the store contract: one DKIM key per domain
// (replaced only when asked), and RFC 4467 mailbox access keys made once, reset per mailbox or account,
// and gone with their mailbox. Every backend's test file calls describeSigningKeyContract.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import type { DkimKeyRecord, MailStore } from "../mail-store.js";
import { rejectsWith, type StoreHarness, storeForSuite } from "./mail-store-contract.js";

const ACCOUNT = { passwordHash: "x", quota: { storageBytes: null, messages: null } };

const key = (domain: string, selector: string): DkimKeyRecord => ({
  domain,
  selector,
  algorithm: "rsa-sha256",
  privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${selector}\n-----END PRIVATE KEY-----\n`,
  publicKey: `MIIB${selector}`,
  createdAtMs: 1_700_000_000_000,
});

export function describeSigningKeyContract(backend: string, harness: StoreHarness): void {
  describe(`signing key contract: ${backend}`, () => {
    let store: MailStore;
    storeForSuite(harness, (opened) => {
      store = opened;
    });

    it("keeps one DKIM key per domain, lower-case, replaced only when asked", async () => {
      await store.dkimKeys.saveDkimKey(key("Zeta.Example", "s1"), { replace: false });
      await store.dkimKeys.saveDkimKey(key("alpha.example", "a1"), { replace: false });
      assert.deepEqual(await store.dkimKeys.getDkimKey("ZETA.example"), key("zeta.example", "s1"));
      await rejectsWith(
        store.dkimKeys.saveDkimKey(key("zeta.example", "s2"), { replace: false }),
        "alreadyExists",
      );
      assert.equal((await store.dkimKeys.getDkimKey("zeta.example"))?.selector, "s1");
      await store.dkimKeys.saveDkimKey(key("zeta.example", "s2"), { replace: true });
      assert.deepEqual(await store.dkimKeys.getDkimKey("zeta.example"), key("zeta.example", "s2"));
      assert.deepEqual(
        (await store.dkimKeys.listDkimKeys()).map((k) => `${k.domain} ${k.selector}`),
        ["alpha.example a1", "zeta.example s2"],
      );
      await store.dkimKeys.deleteDkimKey("Alpha.Example");
      assert.equal(await store.dkimKeys.getDkimKey("alpha.example"), undefined);
      await rejectsWith(store.dkimKeys.deleteDkimKey("alpha.example"), "nonexistent");
    });

    it("makes a URLAUTH key once per mailbox, resets one mailbox's or all, drops it with the mailbox", async () => {
      const account = await store.accounts.create({ address: `keys.${Date.now()}@example.test`, ...ACCOUNT });
      const drafts = (await store.mailboxes.create(account.id, "Drafts", null)).id;
      const sent = (await store.mailboxes.create(account.id, "Sent", null)).id;
      assert.equal(await store.urlAuthKeys.getUrlAuthKey(account.id, drafts), undefined);
      const first = randomBytes(32);
      assert.deepEqual(await store.urlAuthKeys.getOrCreateUrlAuthKey(account.id, drafts, first), first);
      // A second maker (another session or node) gets the stored key, not its own candidate.
      assert.deepEqual(
        await store.urlAuthKeys.getOrCreateUrlAuthKey(account.id, drafts, randomBytes(32)),
        first,
      );
      assert.deepEqual(await store.urlAuthKeys.getUrlAuthKey(account.id, drafts), first);
      const sentKey = await store.urlAuthKeys.getOrCreateUrlAuthKey(account.id, sent, randomBytes(32));

      await store.urlAuthKeys.resetUrlAuthKeys(account.id, drafts);
      assert.equal(await store.urlAuthKeys.getUrlAuthKey(account.id, drafts), undefined);
      assert.deepEqual(await store.urlAuthKeys.getUrlAuthKey(account.id, sent), sentKey);
      const second = await store.urlAuthKeys.getOrCreateUrlAuthKey(account.id, drafts, randomBytes(32));
      assert.notDeepEqual(second, first);

      await store.urlAuthKeys.resetUrlAuthKeys(account.id);
      assert.equal(await store.urlAuthKeys.getUrlAuthKey(account.id, drafts), undefined);
      assert.equal(await store.urlAuthKeys.getUrlAuthKey(account.id, sent), undefined);

      await store.urlAuthKeys.getOrCreateUrlAuthKey(account.id, sent, randomBytes(32));
      await store.mailboxes.delete(account.id, sent);
      assert.equal(await store.urlAuthKeys.getUrlAuthKey(account.id, sent), undefined);
    });
  });
}

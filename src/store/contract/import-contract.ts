// The import part of the store contract (docs/operations.md "Import"): a never-used mailbox adopts the
// source folder's UIDVALIDITY and UIDNEXT, appends keep the source's UIDs (never below UIDNEXT), and an
// imported POP3 UIDL is returned for its entry. Both backends run it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Uid } from "../../kit/ids.js";
import type { MailStore } from "../mail-store.js";
import { rejectsWith, type StoreHarness, storeForSuite, storeTestMessage } from "./mail-store-contract.js";

const ACCOUNT = { passwordHash: "x", quota: { storageBytes: null, messages: null } };

export function describeImportContract(backend: string, harness: StoreHarness): void {
  describe(`Import contract: ${backend}`, () => {
    let store: MailStore;
    storeForSuite(harness, (opened) => {
      store = opened;
    });
    let counter = 0;
    const newAccount = () =>
      store.accounts.create({ address: `import${++counter}.${Date.now()}@example.test`, ...ACCOUNT });

    it("a never-used mailbox adopts UIDVALIDITY and UIDNEXT; appends keep the given UIDs", async () => {
      const account = await newAccount();
      const inbox = await store.mailboxes.findByName(account.id, "INBOX");
      assert.ok(inbox);
      const adopted = await store.mailboxes.adoptUids(account.id, inbox.id, 1234567, 10 as Uid);
      assert.equal(adopted.uidValidity, 1234567);
      assert.equal(adopted.uidNext, 10);
      const a = { ...(await storeTestMessage(store)), uid: 3 as Uid, importedUidl: "UID3-abc" };
      const b = { ...(await storeTestMessage(store)), uid: 7 as Uid };
      await rejectsWith(store.messages.appendMany(account.id, inbox.id, [b, a]), "invalidInput");
      // UIDNEXT is 10 after adoption: the source's UIDs 3 and 7 are below it, so adopt with UIDNEXT 1.
      const other = await store.mailboxes.create(account.id, "Imported", null);
      await store.mailboxes.adoptUids(account.id, other.id, 555, 1 as Uid);
      const results = await store.messages.appendMany(account.id, other.id, [a, b]);
      assert.deepEqual(
        results.map((r) => [r.uid, r.uidValidity]),
        [
          [3, 555],
          [7, 555],
        ],
      );
      const after = await store.mailboxes.get(account.id, other.id);
      assert.equal(after?.uidNext, 8);
      assert.deepEqual([...(await store.messages.listImportedUidls(other.id))], [[3, "UID3-abc"]]);
      const plain = await store.messages.append(account.id, other.id, await storeTestMessage(store));
      assert.equal(plain.uid, 8, "later appends continue after the imported UIDs");
      await rejectsWith(
        store.messages.appendMany(account.id, other.id, [
          { ...(await storeTestMessage(store)), uid: 5 as Uid },
        ]),
        "invalidInput",
      );
    });

    it("a re-run with the same UIDVALIDITY only raises UIDNEXT; another is refused once messages exist", async () => {
      const account = await newAccount();
      const mailbox = await store.mailboxes.create(account.id, "Box", null);
      const future = Math.floor(Date.now() / 1000) + 100_000;
      await store.mailboxes.adoptUids(account.id, mailbox.id, future, 1 as Uid);
      await store.messages.append(account.id, mailbox.id, await storeTestMessage(store));
      const again = await store.mailboxes.adoptUids(account.id, mailbox.id, future, 20 as Uid);
      assert.equal(again.uidNext, 20);
      const lower = await store.mailboxes.adoptUids(account.id, mailbox.id, future, 5 as Uid);
      assert.equal(lower.uidNext, 20, "UIDNEXT never goes down");
      await rejectsWith(store.mailboxes.adoptUids(account.id, mailbox.id, future + 1, 1 as Uid), "cannot");
      const next = await store.mailboxes.create(account.id, "Later", null);
      assert.ok(next.uidValidity > future, "a later mailbox gets a UIDVALIDITY above the adopted one");
    });
  });
}

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AccountId, MailboxId, Uid } from "../../kit/ids.js";
import {
  createAccountWithInbox,
  flagSet,
  storeForSuite,
  storeTestMessage,
} from "../../store/contract/mail-store-contract.js";
import type { MailStore } from "../../store/mail-store.js";
import { SQLITE_HARNESS } from "../../store/sqlite/sqlite-harness.testkit.js";
import { SnapshotCache } from "./snapshot-cache.js";

describe("SnapshotCache", () => {
  let store: MailStore;
  storeForSuite(SQLITE_HARNESS, (opened) => {
    store = opened;
  });

  async function setup(messages: number): Promise<{ accountId: AccountId; mailboxId: MailboxId }> {
    const ids = await createAccountWithInbox(store, `snap${Date.now()}${Math.random()}@example.test`);
    for (let i = 0; i < messages; i++)
      await store.messages.append(ids.accountId, ids.mailboxId, await storeTestMessage(store));
    return ids;
  }

  async function assertMatchesStore(cache: SnapshotCache, accountId: AccountId, mailboxId: MailboxId) {
    const snapshot = await cache.open(accountId, mailboxId);
    assert.deepEqual(snapshot.entries, await store.messages.listEntries(mailboxId));
    const mailbox = await store.mailboxes.get(accountId, mailboxId);
    assert.equal(snapshot.seenModSeq, mailbox?.highestModSeq);
    return snapshot;
  }

  it("catches up with appends, flag changes and expunges made since the last open", async () => {
    const { accountId, mailboxId } = await setup(6);
    const cache = new SnapshotCache(store);
    await assertMatchesStore(cache, accountId, mailboxId);
    await store.messages.append(accountId, mailboxId, await storeTestMessage(store));
    await store.messages.updateFlags(accountId, mailboxId, [2 as Uid, 7 as Uid], {
      operation: "add",
      flags: flagSet(["\\Flagged"], ["$Work"]),
    });
    await store.messages.expunge(accountId, mailboxId, [1 as Uid, 4 as Uid]);
    const snapshot = await assertMatchesStore(cache, accountId, mailboxId);
    assert.deepEqual(
      snapshot.entries.map((e) => e.uid),
      [2, 3, 5, 6, 7],
    );
  });

  it("applies a session's own flag change without reading it back, and reads one that does not follow", async () => {
    const { accountId, mailboxId } = await setup(4);
    // The real store, with the change log's answers counted.
    const readBack: number[] = [];
    const counting: MailStore = Object.create(store, {
      changes: {
        value: {
          ...store.changes,
          mailboxChangesSince: async (...args: Parameters<MailStore["changes"]["mailboxChangesSince"]>) => {
            const changes = await store.changes.mailboxChangesSince(...args);
            readBack.push(changes.entries.length);
            return changes;
          },
        },
      },
    });
    const cache = new SnapshotCache(counting);
    await cache.open(accountId, mailboxId);
    const seen = { operation: "add", flags: flagSet(["\\Seen"], []) } as const;
    const own = await store.messages.updateFlags(accountId, mailboxId, [1 as Uid, 3 as Uid], seen);
    cache.noteFlagChange(mailboxId, own.changed);
    await assertMatchesStore(cache, accountId, mailboxId);
    assert.deepEqual(readBack, [0], "the own change was applied, not read back");

    // Another session's change comes first: the next own change does not follow what the cache saw.
    await store.messages.updateFlags(accountId, mailboxId, [2 as Uid], seen);
    const next = await store.messages.updateFlags(accountId, mailboxId, [4 as Uid], seen);
    cache.noteFlagChange(mailboxId, next.changed);
    const snapshot = await assertMatchesStore(cache, accountId, mailboxId);
    assert.deepEqual(readBack, [0, 2], "both changes were read from the change log");
    assert.ok(snapshot.entries.every((e) => e.flags.system.has("\\Seen")));
  });

  it("gives every caller its own array", async () => {
    const { accountId, mailboxId } = await setup(3);
    const cache = new SnapshotCache(store);
    const first = await cache.open(accountId, mailboxId);
    first.entries.length = 0;
    const second = await cache.open(accountId, mailboxId);
    assert.equal(second.entries.length, 3);
  });

  it("applies concurrent opens' change sets in order, so nothing comes back from an older read", async () => {
    const { accountId, mailboxId } = await setup(20);
    const cache = new SnapshotCache(store);
    await cache.open(accountId, mailboxId);
    const opens: Promise<unknown>[] = [];
    for (let uid = 1; uid <= 10; uid++) {
      await store.messages.expunge(accountId, mailboxId, [uid as Uid]);
      await store.messages.updateFlags(accountId, mailboxId, [(uid + 10) as Uid], {
        operation: "add",
        flags: flagSet(["\\Seen"]),
      });
      opens.push(cache.open(accountId, mailboxId));
    }
    await Promise.all(opens);
    await assertMatchesStore(cache, accountId, mailboxId);
  });

  it("starts over when the mailbox was deleted and recreated under the same id's name", async () => {
    const { accountId } = await setup(0);
    const first = await store.mailboxes.create(accountId, "Projects", null);
    await store.messages.append(accountId, first.id, await storeTestMessage(store));
    const cache = new SnapshotCache(store);
    assert.equal((await cache.open(accountId, first.id)).entries.length, 1);
    await store.mailboxes.delete(accountId, first.id);
    await assert.rejects(cache.open(accountId, first.id), { code: "nonexistent" });
    const second = await store.mailboxes.create(accountId, "Projects", null);
    assert.equal((await cache.open(accountId, second.id)).entries.length, 0);
  });

  it("forgets the least recently opened mailboxes beyond its size and still answers for them", async () => {
    const a = await setup(3);
    const b = await setup(3);
    const cache = new SnapshotCache(store, 4);
    await cache.open(a.accountId, a.mailboxId);
    await cache.open(b.accountId, b.mailboxId);
    await store.messages.append(a.accountId, a.mailboxId, await storeTestMessage(store));
    await assertMatchesStore(cache, a.accountId, a.mailboxId);
    await assertMatchesStore(cache, b.accountId, b.mailboxId);
  });
});

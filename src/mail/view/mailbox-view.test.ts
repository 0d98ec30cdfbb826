import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Uid } from "../../kit/ids.js";
import {
  createAccountWithInbox,
  flagSet,
  storeForSuite,
  storeTestMessage,
} from "../../store/contract/mail-store-contract.js";
import type { MailStore } from "../../store/mail-store.js";
import { SQLITE_HARNESS } from "../../store/sqlite/sqlite-harness.testkit.js";
import { MailboxView } from "./mailbox-view.js";
import { SnapshotCache } from "./snapshot-cache.js";

describe("MailboxView", () => {
  let store: MailStore;
  let snapshots: SnapshotCache;
  storeForSuite(SQLITE_HARNESS, (opened) => {
    store = opened;
  });
  before(async () => {
    snapshots = new SnapshotCache(store);
  });

  async function setup(messages: number) {
    const ids = await createAccountWithInbox(store, `view${Date.now()}${Math.random()}@example.test`);
    for (let i = 0; i < messages; i++)
      await store.messages.append(ids.accountId, ids.mailboxId, await storeTestMessage(store));
    return ids;
  }

  it("maps positions and UIDs both ways", async () => {
    const { accountId, mailboxId } = await setup(4);
    await store.messages.expunge(accountId, mailboxId, [2 as Uid]);
    const view = await MailboxView.open(store, snapshots, accountId, mailboxId);
    assert.equal(view.count, 3);
    assert.deepEqual(
      view.entries.map((e) => e.uid),
      [1, 3, 4],
    );
    assert.equal(view.positionOf(3 as Uid), 2);
    assert.equal(view.positionOf(2 as Uid), 0);
    assert.equal(view.entryAt(3)?.uid, 4);
  });

  it("finds every UID's position through appends and expunges", async () => {
    const { accountId, mailboxId } = await setup(70);
    const view = await MailboxView.open(store, snapshots, accountId, mailboxId);
    const expectPositions = () => {
      view.entries.forEach((entry, i) => {
        assert.equal(view.positionOf(entry.uid), i + 1);
        assert.equal(view.firstIndexWithUidAtLeast(entry.uid), i);
      });
      const last = view.entries.at(-1)?.uid ?? 0;
      assert.equal(view.positionOf((last + 1) as Uid), 0);
      assert.equal(view.firstIndexWithUidAtLeast(last + 1), view.count);
    };
    expectPositions();
    for (let i = 0; i < 30; i++) {
      await store.messages.append(accountId, mailboxId, await storeTestMessage(store));
    }
    await view.poll();
    view.flush(true);
    assert.equal(view.count, 100);
    expectPositions();
    const gone = [1, 2, 50, 99].map((uid) => uid as Uid);
    await store.messages.expunge(accountId, mailboxId, gone);
    await view.poll();
    view.flush(true);
    assert.equal(view.count, 96);
    for (const uid of gone) assert.equal(view.positionOf(uid), 0);
    assert.equal(view.firstIndexWithUidAtLeast(50), 47, "UID 51 is where 50 was, less 1 and 2");
    expectPositions();
  });

  it("reads others' changes on poll and announces them only on flush, expunges only when allowed", async () => {
    const { accountId, mailboxId } = await setup(3);
    const view = await MailboxView.open(store, snapshots, accountId, mailboxId);
    await store.messages.append(accountId, mailboxId, await storeTestMessage(store));
    await store.messages.updateFlags(accountId, mailboxId, [3 as Uid], {
      operation: "add",
      flags: flagSet(["\\Seen"]),
    });
    await store.messages.expunge(accountId, mailboxId, [1 as Uid, 2 as Uid]);
    assert.equal(view.count, 3, "nothing changes before a poll");
    await view.poll();
    assert.equal(view.count, 3, "nor before a flush");

    const during = view.flush(false);
    assert.deepEqual(during.expunged, [], "no expunge while positions must stay stable");
    assert.deepEqual(
      during.added.map((e) => e.uid),
      [4],
    );
    assert.deepEqual(
      during.flagChanges.map((c) => [c.position, c.entry.uid]),
      [[3, 3]],
    );
    assert.equal(during.count, 4);
    assert.equal(view.entryAt(1)?.uid, 1, "the expunged message is still visible");

    const later = view.flush(true);
    assert.deepEqual(later.expunged, [
      { uid: 2, position: 2 },
      { uid: 1, position: 1 },
    ]);
    assert.equal(later.count, 2);
    assert.deepEqual(
      view.entries.map((e) => e.uid),
      [3, 4],
    );
  });

  it("does not announce a session's own flag changes back to it", async () => {
    const { accountId, mailboxId } = await setup(2);
    const view = await MailboxView.open(store, snapshots, accountId, mailboxId);
    const result = await store.messages.updateFlags(accountId, mailboxId, [1 as Uid], {
      operation: "add",
      flags: flagSet(["\\Flagged"]),
    });
    view.applyOwnChanges(result.changed);
    await view.poll();
    const update = view.flush(true);
    assert.deepEqual(update.flagChanges, []);
    assert.ok(view.entryAt(1)?.flags.system.has("\\Flagged"));
  });

  it("keeps each entry's blob hash through its own flag changes, which do not read it", async () => {
    const { accountId, mailboxId } = await setup(2);
    const view = await MailboxView.open(store, snapshots, accountId, mailboxId);
    const blobHashes = view.entries.map((e) => e.blobHash);
    assert.ok(blobHashes.every((hash) => typeof hash === "string" && hash.length >= 64));
    const result = await store.messages.updateFlags(accountId, mailboxId, [1 as Uid, 2 as Uid], {
      operation: "add",
      flags: flagSet(["\\Seen"]),
    });
    view.applyOwnChanges(result.changed);
    assert.ok(view.entryAt(2)?.flags.system.has("\\Seen"));
    assert.deepEqual(
      view.entries.map((e) => e.blobHash),
      blobHashes,
    );
  });

  it("fails the poll when the mailbox is deleted under it", async () => {
    const { accountId } = await setup(0);
    const other = await store.mailboxes.create(accountId, "Doomed", null);
    const view = await MailboxView.open(store, snapshots, accountId, other.id);
    await store.mailboxes.delete(accountId, other.id);
    await assert.rejects(view.poll(), /deleted/);
  });
});

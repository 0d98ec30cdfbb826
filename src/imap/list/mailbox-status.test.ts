import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MailboxRecord, MailStore } from "../../store/mail-store.js";
import { findUnadvertisedItem, readStatusItems, type StatusSource } from "./mailbox-status.js";

/** A store whose mailbox holds these UIDs; only listEntries is used. */
function sourceWith(uids: number[]): StatusSource & { readonly calls: [number, number][] } {
  const calls: [number, number][] = [];
  const store = {
    messages: {
      listEntries: async (_id: unknown, from = 1, to = Number.MAX_SAFE_INTEGER) => {
        calls.push([from, to]);
        return uids.filter((uid) => uid >= from && uid <= to).map((uid) => ({ uid }));
      },
    },
  } as unknown as MailStore;
  return { store, selected: null, maxMessageBytes: 1000, calls };
}

const mailbox = (fields: Partial<MailboxRecord>): MailboxRecord =>
  ({
    id: "m1",
    name: "Work",
    uidValidity: 7,
    uidNext: 11,
    highestModSeq: 42,
    messageCount: 6,
    unseenCount: 2,
    deletedCount: 1,
    totalBytes: 1234,
    recentUidFloor: 1,
    ...fields,
  }) as MailboxRecord;

describe("STATUS items", () => {
  it("answers each item once, in the order asked", async () => {
    const values = await readStatusItems(
      mailbox({}),
      ["UIDNEXT", "MESSAGES", "UIDVALIDITY", "UNSEEN", "DELETED", "SIZE", "APPENDLIMIT", "MESSAGES"],
      sourceWith([]),
    );
    assert.deepEqual(values, [
      { item: "UIDNEXT", value: 11 },
      { item: "MESSAGES", value: 6 },
      { item: "UIDVALIDITY", value: 7 },
      { item: "UNSEEN", value: 2 },
      { item: "DELETED", value: 1 },
      { item: "SIZE", value: 1234 },
      { item: "APPENDLIMIT", value: 1000 },
    ]);
  });

  it("counts RECENT from the unclaimed UIDs, reading the shorter UID range", async () => {
    const uids = [1, 2, 4, 6, 9, 10];
    // Never claimed: every message is recent, nothing read.
    let source = sourceWith(uids);
    assert.deepEqual(await readStatusItems(mailbox({}), ["RECENT"], source), [{ item: "RECENT", value: 6 }]);
    assert.deepEqual(source.calls, []);
    // Floor near the end: read the unclaimed tail.
    source = sourceWith(uids);
    const tail = mailbox({ recentUidFloor: 9 as MailboxRecord["recentUidFloor"] });
    assert.deepEqual(await readStatusItems(tail, ["RECENT"], source), [{ item: "RECENT", value: 2 }]);
    assert.deepEqual(source.calls, [[9, 10]]);
    // Floor near the start: read the claimed head and subtract.
    source = sourceWith(uids);
    const head = mailbox({ recentUidFloor: 3 as MailboxRecord["recentUidFloor"] });
    assert.deepEqual(await readStatusItems(head, ["RECENT"], source), [{ item: "RECENT", value: 4 }]);
    assert.deepEqual(source.calls, [[1, 2]]);
    // Everything claimed.
    source = sourceWith(uids);
    const none = mailbox({ recentUidFloor: 11 as MailboxRecord["recentUidFloor"] });
    assert.deepEqual(await readStatusItems(none, ["RECENT"], source), [{ item: "RECENT", value: 0 }]);
  });

  it("finds items of extensions that are not advertised", () => {
    const capabilities = ["IMAP4rev2", "STATUS=SIZE", "APPENDLIMIT=1000"];
    assert.equal(findUnadvertisedItem(["MESSAGES", "SIZE", "APPENDLIMIT", "RECENT"], capabilities), null);
    assert.deepEqual(findUnadvertisedItem(["MESSAGES", "HIGHESTMODSEQ"], capabilities), {
      item: "HIGHESTMODSEQ",
      capability: "CONDSTORE",
    });
    assert.deepEqual(findUnadvertisedItem(["MAILBOXID"], [...capabilities, "CONDSTORE"]), {
      item: "MAILBOXID",
      capability: "OBJECTID",
    });
    assert.equal(findUnadvertisedItem(["MAILBOXID"], ["OBJECTID"]), null);
  });
});

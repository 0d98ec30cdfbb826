import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { EmailId } from "../../kit/ids.js";
import { indexMessage } from "../../mime/index/index-message.js";
import { createAccountWithInbox, storeForSuite } from "../../store/contract/mail-store-contract.js";
import type { MailboxEntry, MailStore } from "../../store/mail-store.js";
import { SQLITE_HARNESS } from "../../store/sqlite/sqlite-harness.testkit.js";
import { loadSortKeys } from "./sort-key-cache.js";
import { sortMessages } from "./sort-messages.js";

describe("loadSortKeys", () => {
  let store: MailStore;
  let entries: MailboxEntry[];

  storeForSuite(SQLITE_HARNESS, (opened) => {
    store = opened;
  });
  before(async () => {
    const { accountId, mailboxId: inbox } = await createAccountWithInbox(store, "cache@example.test");
    for (const subject of ["Re: banana", "apple", "[x] cherry"]) {
      const raw = Buffer.from(`Subject: ${subject}\r\n\r\nbody\r\n`);
      const { hash } = await store.blobs.put(raw);
      await store.messages.append(accountId, inbox, {
        blobHash: hash,
        index: indexMessage(raw),
        flags: { system: new Set(), keywords: [] },
        internalDateMs: 0,
      });
    }
    entries = await store.messages.listEntries(inbox);
  });

  it("reads the store once, then answers from memory", async () => {
    const asked: (readonly EmailId[])[] = [];
    const getSortKeys = store.messages.getSortKeys.bind(store.messages);
    store.messages.getSortKeys = (ids) => {
      asked.push(ids);
      return getSortKeys(ids);
    };
    const first = await loadSortKeys(store, entries);
    const again = await loadSortKeys(store, entries);
    assert.equal(asked.length, 1);
    assert.deepEqual(
      asked[0],
      entries.map((entry) => entry.emailId),
    );
    const subjects = (keys: typeof first) =>
      sortMessages(entries, keys, [{ key: "SUBJECT", isReverse: false }]).map((e) => e.uid);
    assert.deepEqual(subjects(first), [2, 1, 3]);
    assert.deepEqual(subjects(again), [2, 1, 3]);
  });
});

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { EmailId, MailboxId } from "../../kit/ids.js";
import { indexMessage } from "../../mime/index/index-message.js";
import type { MailboxEntry, MailStore } from "../../store/mail-store.js";
import { openSqliteStore } from "../../store/sqlite/sqlite-store.js";
import { loadSortKeys } from "./sort-key-cache.js";
import { sortMessages } from "./sort-messages.js";

describe("loadSortKeys", () => {
  let dataDir: string;
  let store: MailStore;
  let entries: MailboxEntry[];

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "postfach-sort-cache-"));
    store = await openSqliteStore({ dataDir });
    const account = await store.accounts.create({
      address: "cache@example.test",
      passwordHash: "$scrypt$test",
      quota: { storageBytes: null, messages: null },
    });
    const inbox = (await store.mailboxes.findByName(account.id, "INBOX"))?.id as MailboxId;
    for (const subject of ["Re: banana", "apple", "[x] cherry"]) {
      const raw = Buffer.from(`Subject: ${subject}\r\n\r\nbody\r\n`);
      const { hash } = await store.blobs.put(raw);
      await store.messages.append(account.id, inbox, {
        blobHash: hash,
        index: indexMessage(raw),
        flags: { system: new Set(), keywords: [] },
        internalDateMs: 0,
      });
    }
    entries = await store.messages.listEntries(inbox);
  });
  after(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
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

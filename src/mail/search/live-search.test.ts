// Tests LiveSearch over a real embedded store: after the first run it evaluates only the entries it is
// given, agrees with a fresh searchMailbox after flag changes and deliveries, and asks the store's
// content index again only when a new email passes the snapshot keys (flag changes cost no query).
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { AccountId, MailboxId } from "../../kit/ids.js";
import { indexMessage } from "../../mime/index/index-message.js";
import { createAccountWithInbox, storeForSuite } from "../../store/contract/mail-store-contract.js";
import type { MailboxEntry, MailStore } from "../../store/mail-store.js";
import { SQLITE_HARNESS } from "../../store/sqlite/sqlite-harness.testkit.js";
import { LiveSearch } from "./live-search.js";
import { searchMailbox } from "./search-mailbox.js";
import type { SearchQuery } from "./search-query.js";

describe("LiveSearch", () => {
  let store: MailStore;
  let counting: MailStore;
  let asked = 0;
  let accountId: AccountId;
  let mailboxId: MailboxId;

  async function add(subject: string): Promise<void> {
    const raw = Buffer.from(`From: a@example.test\r\nSubject: ${subject}\r\n\r\nbody\r\n`);
    const { hash } = await store.blobs.put(raw);
    await store.messages.append(accountId, mailboxId, {
      blobHash: hash,
      index: indexMessage(raw),
      flags: { system: new Set(), keywords: [] },
      internalDateMs: Date.UTC(2025, 0, 1),
    });
  }

  storeForSuite(SQLITE_HARNESS, (opened) => {
    store = opened;
  });
  before(async () => {
    ({ accountId, mailboxId } = await createAccountWithInbox(store, "live@example.test"));
    for (const subject of ["report a", "lunch", "report b", "other"]) await add(subject);
    counting = {
      ...store,
      messages: Object.assign(Object.create(store.messages) as MailStore["messages"], {
        matchEmails: (...args: Parameters<MailStore["messages"]["matchEmails"]>) => {
          asked++;
          return store.messages.matchEmails(...args);
        },
      }),
    };
  });

  const query: SearchQuery = {
    kind: "and",
    queries: [
      { kind: "not", query: { kind: "flag", flag: "\\Seen" } },
      { kind: "text", field: "subject", value: "report" },
    ],
  };
  const uids = (entries: readonly MailboxEntry[]) => entries.map((e) => e.uid);

  it("follows flag changes without asking the store, and new mail with one question", async () => {
    let entries = await store.messages.listEntries(mailboxId);
    asked = 0;
    const { search, matched } = await LiveSearch.start(counting, mailboxId, entries, query);
    assert.deepEqual(uids(matched), [1, 3]);
    assert.equal(asked, 1);

    const { changed } = await store.messages.updateFlags(accountId, mailboxId, [1 as never, 2 as never], {
      operation: "add",
      flags: { system: new Set(["\\Seen"]), keywords: [] },
    });
    asked = 0;
    assert.deepEqual(uids(await search.match(changed)), []);
    assert.equal(asked, 0, "flag changes reuse the content answers");

    await add("report c");
    await add("no match");
    entries = await store.messages.listEntries(mailboxId);
    const fresh = entries.filter((e) => e.uid > 4);
    assert.deepEqual(uids(await search.match(fresh)), [5]);
    assert.equal(asked, 1, "new emails ask the store once");
    // The live answers agree with a fresh search over the whole mailbox.
    const all = await searchMailbox(store, accountId, mailboxId, entries, query);
    assert.deepEqual(uids(all), [3, 5]);
  });

  it("does not ask the store while the snapshot keys rule every candidate out", async () => {
    const entries = await store.messages.listEntries(mailboxId);
    const seenOnly: SearchQuery = {
      kind: "and",
      queries: [
        { kind: "flag", flag: "\\Draft" },
        { kind: "text", field: "subject", value: "report" },
      ],
    };
    asked = 0;
    const { search, matched } = await LiveSearch.start(counting, mailboxId, entries, seenOnly);
    assert.deepEqual(matched, []);
    assert.deepEqual(await search.match(entries), []);
    assert.equal(asked, 0);
    const { changed } = await store.messages.updateFlags(accountId, mailboxId, [3 as never], {
      operation: "add",
      flags: { system: new Set(["\\Draft"]), keywords: [] },
    });
    assert.deepEqual(uids(await search.match(changed)), [3]);
    assert.equal(asked, 1);
  });
});

// Tests the search evaluator over a real embedded store: in-memory leaves, store leaves, HEADER from
// the header index, boolean combinations, that the store is not asked when cheap keys rule all out,
// and that no key reads a message.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import type { AccountId, MailboxId, ModSeq, Uid } from "../../kit/ids.js";
import { indexMessage } from "../../mime/index/index-message.js";
import { createAccountWithInbox, storeForSuite } from "../../store/contract/mail-store-contract.js";
import type { MailboxEntry, MailStore, SystemFlag } from "../../store/mail-store.js";
import { SQLITE_HARNESS } from "../../store/sqlite/sqlite-harness.testkit.js";
import { openSqliteStore } from "../../store/sqlite/sqlite-store.js";
import { searchMailbox } from "./search-mailbox.js";
import { isUidInRanges, type SearchQuery, uidRanges, utcDayRange } from "./search-query.js";

const DAY = 86_400_000;
const JAN_10 = Date.UTC(2025, 0, 10, 8);

describe("searchMailbox", () => {
  let store: MailStore;
  let accountId: AccountId;
  let mailboxId: MailboxId;
  let entries: MailboxEntry[];

  async function add(
    lines: readonly string[],
    system: SystemFlag[],
    keywords: string[],
    internalDateMs: number,
  ) {
    const raw = Buffer.from(`${lines.join("\r\n")}\r\n`);
    const { hash } = await store.blobs.put(raw);
    await store.messages.append(accountId, mailboxId, {
      blobHash: hash,
      index: indexMessage(raw),
      flags: { system: new Set(system), keywords },
      internalDateMs,
    });
  }

  const run = async (query: SearchQuery, from: readonly MailboxEntry[] = entries): Promise<number[]> =>
    (await searchMailbox(store, accountId, mailboxId, from, query)).map((e) => e.uid);

  storeForSuite(SQLITE_HARNESS, (opened) => {
    store = opened;
  });
  before(async () => {
    ({ accountId, mailboxId } = await createAccountWithInbox(store, "eval@example.test"));
    await add(
      [
        "From: Alice <alice@example.com>",
        "Subject: Lunch",
        "X-Priority: 1 (Highest)",
        "List-Id: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= <team.example.com>",
        "Date: Fri, 10 Jan 2025 23:30:00 -0500",
        "",
        "Pizza at noon?",
      ],
      ["\\Seen"],
      ["$Important"],
      JAN_10,
    );
    await add(
      [
        "From: Bob <bob@example.org>",
        "Subject: Re: Lunch",
        "Date: Sat, 11 Jan 2025 09:00:00 +0000",
        "",
        `yes ${"x".repeat(3000)}`,
      ],
      ["\\Answered", "\\Flagged"],
      [],
      JAN_10 + DAY,
    );
    await add(
      ["From: Carol <carol@example.net>", "Subject: Invoice", "", "Total: 42 EUR"],
      ["\\Deleted"],
      ["Work"],
      JAN_10 + 2 * DAY,
    );
    entries = await store.messages.listEntries(mailboxId);
  });

  it("evaluates flags, keywords (any case), sizes, UIDs, ids and modseq in memory", async () => {
    assert.deepEqual(await run({ kind: "all" }), [1, 2, 3]);
    assert.deepEqual(await run({ kind: "flag", flag: "\\Seen" }), [1]);
    assert.deepEqual(await run({ kind: "not", query: { kind: "flag", flag: "\\Seen" } }), [2, 3]);
    assert.deepEqual(await run({ kind: "keyword", keyword: "$important" }), [1]);
    assert.deepEqual(await run({ kind: "keyword", keyword: "WORK" }), [3]);
    assert.deepEqual(await run({ kind: "size", isLarger: true, bytes: 1000 }), [2]);
    assert.deepEqual(await run({ kind: "size", isLarger: false, bytes: 1000 }), [1, 3]);
    assert.deepEqual(await run({ kind: "uids", ranges: uidRanges([3, 1] as Uid[]) }), [1, 3]);
    const second = entries[1] as MailboxEntry;
    assert.deepEqual(await run({ kind: "emailId", id: second.emailId }), [2]);
    assert.deepEqual(await run({ kind: "threadId", id: second.threadId }), [2]);
    assert.deepEqual(await run({ kind: "modSeq", atLeast: second.modSeq }), [2, 3]);
    assert.deepEqual(await run({ kind: "modSeq", atLeast: 1e12 as ModSeq }), []);
  });

  it("evaluates internal, saved and sent date ranges", async () => {
    const jan11 = utcDayRange(2025, 1, 11);
    const on = (field: "internal" | "sent" | "saved", r = jan11): SearchQuery => ({
      kind: "date",
      field,
      sinceMs: r.startMs,
      beforeMs: r.endMs,
    });
    assert.deepEqual(await run(on("internal")), [2]);
    // 23:30 -0500 on the 10th is 04:30 UTC on the 11th: days are UTC days (search-query.ts).
    assert.deepEqual(await run(on("sent")), [1, 2]);
    assert.deepEqual(await run({ kind: "date", field: "sent", sinceMs: null, beforeMs: jan11.startMs }), []);
    // Carol has no Date: header, so her internal date stands in.
    assert.deepEqual(await run(on("sent", utcDayRange(2025, 1, 12))), [3]);
    const now = Date.now();
    assert.deepEqual(
      await run({ kind: "date", field: "saved", sinceMs: now - 60_000, beforeMs: null }),
      [1, 2, 3],
    );
  });

  it("asks the store for text and combines with AND, OR and NOT", async () => {
    assert.deepEqual(await run({ kind: "text", field: "subject", value: "LUNCH" }), [1, 2]);
    assert.deepEqual(await run({ kind: "text", field: "body", value: "pizza" }), [1]);
    assert.deepEqual(await run({ kind: "text", field: "from", value: "example.net" }), [3]);
    const query: SearchQuery = {
      kind: "or",
      queries: [
        {
          kind: "and",
          queries: [
            { kind: "text", field: "subject", value: "lunch" },
            { kind: "not", query: { kind: "flag", flag: "\\Seen" } },
          ],
        },
        { kind: "text", field: "text", value: "42 eur" },
      ],
    };
    assert.deepEqual(await run(query), [2, 3]);
    assert.deepEqual(await run({ kind: "not", query }), [1]);
  });

  it("searches any header field from the header index", async () => {
    assert.deepEqual(await run({ kind: "header", name: "x-priority", value: "highest" }), [1]);
    assert.deepEqual(await run({ kind: "header", name: "X-PRIORITY", value: "" }), [1], "existence");
    assert.deepEqual(await run({ kind: "header", name: "list-id", value: "GRÜSSE" }), [1], "decoded, folded");
    assert.deepEqual(await run({ kind: "header", name: "subject", value: "re:" }), [2]);
    assert.deepEqual(await run({ kind: "header", name: "x-priority", value: "lowest" }), []);
    assert.deepEqual(await run({ kind: "header", name: "to", value: "" }), []);
  });

  it("searches only the given entries and skips the store when cheap keys match nothing", async () => {
    assert.deepEqual(await run({ kind: "text", field: "subject", value: "lunch" }, entries.slice(1)), [2]);
    let asked = 0;
    const counting: MailStore = {
      ...store,
      messages: Object.assign(Object.create(store.messages) as MailStore["messages"], {
        matchEmails: (...args: Parameters<MailStore["messages"]["matchEmails"]>) => {
          asked++;
          return store.messages.matchEmails(...args);
        },
      }),
    };
    const query: SearchQuery = {
      kind: "and",
      queries: [
        { kind: "flag", flag: "\\Draft" },
        { kind: "text", field: "body", value: "pizza" },
      ],
    };
    assert.deepEqual(await searchMailbox(counting, accountId, mailboxId, entries, query), []);
    assert.equal(asked, 0);
  });
});

describe("searchMailbox without message reads", () => {
  it("answers every kind of key without opening a blob", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "postfach-search-noblob-"));
    const store = await openSqliteStore({ dataDir });
    try {
      const account = await store.accounts.create({
        address: "noblob@example.test",
        passwordHash: "$scrypt$test",
        quota: { storageBytes: null, messages: null },
      });
      const inbox = (await store.mailboxes.findByName(account.id, "INBOX"))?.id as MailboxId;
      const raw = Buffer.from("From: a@example.test\r\nX-Mailer: m\r\nSubject: hello\r\n\r\nbody text\r\n");
      const { hash } = await store.blobs.put(raw);
      await store.messages.append(account.id, inbox, {
        blobHash: hash,
        index: indexMessage(raw),
        flags: { system: new Set(), keywords: [] },
        internalDateMs: JAN_10,
      });
      const entries = await store.messages.listEntries(inbox);
      const refusing: MailStore = {
        ...store,
        blobs: new Proxy(store.blobs, {
          get: () => () => assert.fail("search read a message"),
        }),
      };
      const keys: SearchQuery[] = [
        { kind: "text", field: "text", value: "body" },
        { kind: "text", field: "subject", value: "he" },
        { kind: "header", name: "x-mailer", value: "" },
        { kind: "header", name: "x-mailer", value: "m" },
        { kind: "header", name: "subject", value: "hello" },
        { kind: "date", field: "sent", sinceMs: null, beforeMs: JAN_10 + DAY },
        { kind: "not", query: { kind: "flag", flag: "\\Deleted" } },
        {
          kind: "or",
          queries: [
            { kind: "not", query: { kind: "text", field: "body", value: "rare" } },
            { kind: "header", name: "x-absent", value: "" },
          ],
        },
      ];
      for (const key of keys) {
        const found = await searchMailbox(refusing, account.id, inbox, entries, key);
        assert.equal(found.length, 1, JSON.stringify(key));
      }
    } finally {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("search-query helpers", () => {
  it("merges UIDs into sorted ranges and finds members", () => {
    const ranges = uidRanges([7, 1, 2, 3, 9, 8, 2, 20] as Uid[]);
    assert.deepEqual(ranges, [
      { from: 1, to: 3 },
      { from: 7, to: 9 },
      { from: 20, to: 20 },
    ]);
    for (const uid of [1, 2, 3, 7, 8, 9, 20]) assert.ok(isUidInRanges(uid as Uid, ranges), `${uid}`);
    for (const uid of [0, 4, 6, 10, 19, 21]) assert.ok(!isUidInRanges(uid as Uid, ranges), `${uid}`);
    assert.deepEqual(uidRanges([]), []);
  });

  it("takes a day as a UTC day", () => {
    assert.deepEqual(utcDayRange(2024, 2, 29), {
      startMs: Date.UTC(2024, 1, 29),
      endMs: Date.UTC(2024, 2, 1),
    });
  });
});

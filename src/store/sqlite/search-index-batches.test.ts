// The trigram index catches up in batches (group-commit.ts): rows appended one by one wait until
// SEARCH_INDEX_BATCH_ROWS of them have come or the commits have been quiet for a moment, and a search
// finds them meanwhile by scanning their rows.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, beforeEach, describe, it, mock } from "node:test";
import Database from "better-sqlite3";
import type { AccountId, MailboxId } from "../../kit/ids.js";
import { indexMessage } from "../../mime/index/index-message.js";
import type { MailStore } from "../mail-store.js";
import { openSqliteStore } from "./sqlite-store.js";

describe("search index catch-up in batches", () => {
  let dataDir: string;
  let store: MailStore;
  let accountId: AccountId;
  let inbox: MailboxId;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "postfach-index-batches-"));
    store = await openSqliteStore({ dataDir });
    accountId = (
      await store.accounts.create({
        address: "batch@example.test",
        passwordHash: "$scrypt$test",
        quota: { storageBytes: null, messages: null },
      })
    ).id;
    inbox = (await store.mailboxes.findByName(accountId, "INBOX"))?.id as MailboxId;
  });

  after(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function appendOne(subject: string): Promise<void> {
    const raw = Buffer.from(`Subject: ${subject}\r\nFrom: a@example.test\r\n\r\nbody of ${subject}\r\n`);
    await store.messages.append(accountId, inbox, {
      blobHash: (await store.blobs.put(raw)).hash,
      index: indexMessage(raw),
      flags: { system: new Set(), keywords: [] },
      internalDateMs: 0,
    });
  }

  function pendingRows(): number {
    const raw = new Database(join(dataDir, "postfach.db"), { readonly: true });
    try {
      const row = raw
        .prepare(
          "SELECT count(*) AS n FROM email_search WHERE id > (SELECT indexed_upto FROM search_index_progress)",
        )
        .get() as { n: number };
      return row.n;
    } finally {
      raw.close();
    }
  }

  // The quiet timer is a setTimeout: the tests hold it (node:test's mock timers) and fire it themselves, so
  // what they see does not depend on how fast this machine commits.
  beforeEach(() => mock.timers.enable({ apis: ["setTimeout"] }));
  afterEach(() => mock.timers.reset());

  /** Lets the worker and the group commit run until no row waits for the index. */
  async function untilIndexed(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (pendingRows() > 0) {
      assert.ok(Date.now() < deadline, "the worker indexes the rows");
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it("leaves a few appends' rows to one catch-up once the commits are quiet, finding them meanwhile", async () => {
    // Each append is its own group commit; a catch-up with every commit would have indexed the first
    // two before the next group could commit.
    for (const subject of ["zqbatch one", "zqbatch two", "zqbatch three"]) await appendOne(subject);
    assert.equal(pendingRows(), 3, "no catch-up yet: fewer rows than a batch, and the commits not quiet");
    const found = await store.messages.matchEmails(inbox, [
      { kind: "text", field: "subject", value: "zqbatch" },
    ]);
    assert.equal(found.size, 3, "rows waiting for the index are found by scanning them");
    mock.timers.tick(20);
    await untilIndexed();
    const indexed = await store.messages.matchEmails(inbox, [
      { kind: "text", field: "subject", value: "zqbatch" },
    ]);
    assert.equal(indexed.size, 3);
  });

  it("starts a catch-up with the commit that brings a batch of rows", async () => {
    for (let i = 1; i <= 15; i++) await appendOne(`zqfull ${i}`);
    assert.equal(pendingRows(), 15);
    // The sixteenth row starts the catch-up with its commit; the next group commits after it.
    await appendOne("zqfull 16");
    await appendOne("zqfull 17");
    assert.equal(pendingRows(), 1, "the batch was indexed before the next group; only its own row waits");
  });
});

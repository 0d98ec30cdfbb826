// Emails stored before migration 10 have no email_sort_keys row: their keys come from the stored index.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { MailboxId } from "../../kit/ids.js";
import { indexMessage } from "../../mime/index/index-message.js";
import { sortKeysOf } from "../../mime/sort-keys.js";
import type { SqliteMessages } from "./sqlite-messages.js";
import { openSqliteStore } from "./sqlite-store.js";

describe("SQLite sort keys of emails older than the table", () => {
  it("are computed from the stored index", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "postfach-sort-keys-"));
    const store = await openSqliteStore({ dataDir });
    try {
      const account = await store.accounts.create({
        address: "old@example.test",
        passwordHash: "$scrypt$test",
        quota: { storageBytes: null, messages: null },
      });
      const inbox = (await store.mailboxes.findByName(account.id, "INBOX"))?.id as MailboxId;
      const raw = Buffer.from(
        "From: Old <old@x.test>\r\nSubject: Re: old times\r\nMessage-ID: <o@x>\r\n\r\nb\r\n",
      );
      const { hash } = await store.blobs.put(raw);
      const index = indexMessage(raw);
      const [kept, stripped] = await store.messages.appendMany(account.id, inbox, [
        { blobHash: hash, index, flags: { system: new Set(), keywords: [] }, internalDateMs: 0 },
        { blobHash: hash, index, flags: { system: new Set(), keywords: [] }, internalDateMs: 0 },
      ]);
      (store.messages as SqliteMessages).sql.db
        .prepare("DELETE FROM email_sort_keys WHERE email_id = ?")
        .run(stripped?.emailId);
      const keys = await store.messages.getSortKeys([kept?.emailId as never, stripped?.emailId as never]);
      assert.equal(keys.size, 2);
      assert.deepEqual(keys.get(stripped?.emailId as never), sortKeysOf(index));
      assert.deepEqual(keys.get(kept?.emailId as never), sortKeysOf(index));
    } finally {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

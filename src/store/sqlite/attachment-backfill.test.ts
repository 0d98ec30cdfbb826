// The has_attachment backfill (schema.ts, the migration adding emails.has_attachment): emails stored before
// the column get it from their index JSON, so JMAP's hasAttachment filter finds them too.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { indexMessage } from "../../mime/index/index-message.js";
import { MIGRATIONS } from "./schema.js";
import { openSqliteStore } from "./sqlite-store.js";

const WITH_ATTACHMENT = [
  "Subject: with",
  'Content-Type: multipart/mixed; boundary="b"',
  "",
  "--b",
  "Content-Type: text/plain",
  "",
  "see attached",
  "--b",
  'Content-Type: application/pdf; name="a.pdf"',
  "",
  "AAAA",
  "--b--",
  "",
].join("\r\n");
const WITHOUT = "Subject: without\r\n\r\nplain\r\n";

describe("has_attachment backfill", () => {
  let dataDir: string | undefined;
  after(async () => {
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it("sets the column of older emails from their index JSON", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "postfach-attachment-backfill-"));
    let store = await openSqliteStore({ dataDir });
    const account = await store.accounts.create({
      address: "backfill@example.test",
      passwordHash: "x",
      quota: { storageBytes: null, messages: null },
    });
    const inbox = await store.mailboxes.findByName(account.id, "INBOX");
    assert.ok(inbox);
    const appended = await store.messages.appendMany(
      account.id,
      inbox.id,
      await Promise.all(
        [WITH_ATTACHMENT, WITHOUT].map(async (text) => {
          const raw = Buffer.from(text);
          return {
            blobHash: (await store.blobs.put(raw)).hash,
            index: indexMessage(raw),
            flags: { system: new Set<never>(), keywords: [] },
            internalDateMs: Date.now(),
          };
        }),
      ),
    );
    const withId = appended[0]?.emailId;
    const hasAttachment = () => store.messages.matchEmails(inbox.id, [{ kind: "hasAttachment" }]);
    assert.deepEqual([...(await hasAttachment())], [withId], "written at append");
    await store.close();

    // An email stored before the column reads its default; the migration fills it in (and can run twice).
    const migration = MIGRATIONS.findIndex((sql) => sql.includes("ADD COLUMN has_attachment"));
    assert.ok(migration > 0);
    const db = new Database(join(dataDir, "postfach.db"));
    db.exec("UPDATE emails SET has_attachment = 0");
    db.exec(`PRAGMA user_version = ${migration}`);
    db.close();
    store = await openSqliteStore({ dataDir });
    assert.deepEqual([...(await hasAttachment())], [withId], "backfilled from the index JSON");
    await store.close();
  });
});

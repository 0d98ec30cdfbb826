// The header index backfill on a database from before the header index: emails stored then (index
// version 1, no email_headers rows) get the same rows an append writes today, at the next open.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import type { AccountId, EmailId, MailboxId } from "../../kit/ids.js";
import { type Logger, silentLogger } from "../../kit/logger.js";
import { indexMessage } from "../../mime/index/index-message.js";
import type { MailStore } from "../mail-store.js";
import { MIGRATIONS } from "./schema.js";
import { openSqliteStore } from "./sqlite-store.js";

const MESSAGES = [
  "From: a@example.test\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nX-Planted: first\r\n  folded tail\r\n\r\nbody one\r\n",
  "From: b@example.test\r\nReceived: from mx3.example.test\r\nX-Empty:\r\nX-Planted: Second\r\n\r\nbody two\r\n",
].map((text) => Buffer.from(text));

interface HeaderRow {
  readonly email_id: string;
  readonly name: string;
  readonly value: string;
}

describe("header index backfill", () => {
  let dataDir: string;
  let store: MailStore;
  let accountId: AccountId;
  let mailboxId: MailboxId;
  let emailIds: EmailId[];
  let appendedRows: HeaderRow[];

  const dbPath = () => join(dataDir, "postfach.db");
  const headerRows = (): HeaderRow[] => {
    const db = new Database(dbPath(), { readonly: true });
    try {
      return db
        .prepare("SELECT email_id, name, value FROM email_headers ORDER BY email_id, id")
        .all() as HeaderRow[];
    } finally {
      db.close();
    }
  };
  const header = async (name: string, value: string) =>
    store.messages.matchEmails(mailboxId, [{ kind: "header", name, value }]);

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "postfach-backfill-"));
    store = await openSqliteStore({ dataDir });
    const account = await store.accounts.create({
      address: "backfill@example.test",
      passwordHash: "x",
      quota: { storageBytes: null, messages: null },
    });
    accountId = account.id;
    const inbox = await store.mailboxes.findByName(accountId, "INBOX");
    assert.ok(inbox);
    mailboxId = inbox.id;
    const appended = await store.messages.appendMany(
      accountId,
      mailboxId,
      await Promise.all(
        MESSAGES.map(async (raw) => ({
          blobHash: (await store.blobs.put(raw)).hash,
          index: indexMessage(raw),
          flags: { system: new Set(), keywords: [] },
          internalDateMs: Date.now(),
        })),
      ),
    );
    emailIds = appended.map((result) => result.emailId);
    await store.close();
    appendedRows = headerRows();
    // What a database from before migration 8 looks like after it: no header rows, version 1 indexes
    // without headerFields, then the migration that queues such emails (run here rather than by rewinding
    // user_version, since later migrations add columns and cannot run twice).
    const db = new Database(dbPath());
    const queueMigration = MIGRATIONS.findIndex((sql) => sql.includes("email_headers_backfill ("));
    assert.ok(queueMigration > 0);
    db.exec(`
      DELETE FROM email_headers;
      UPDATE email_index SET version = 1, json = json_remove(json, '$.headerFields');
      DROP TABLE email_headers_backfill;
    `);
    db.exec(MIGRATIONS[queueMigration] as string);
    db.close();
  });

  after(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("writes at open the rows an append writes, so HEADER finds older emails", async () => {
    assert.deepEqual(headerRows(), []);
    const logged: object[] = [];
    const log: Logger = { ...silentLogger, info: (obj) => void logged.push(obj) };
    store = await openSqliteStore({ dataDir, log });
    assert.deepEqual(headerRows(), appendedRows);
    assert.deepEqual(await header("X-Planted", ""), new Set(emailIds));
    assert.deepEqual(await header("x-planted", "FIRST FOLDED"), new Set([emailIds[0]]));
    assert.deepEqual(await header("Subject", "grüsse"), new Set([emailIds[0]]));
    assert.deepEqual(await header("Received", "mx3"), new Set([emailIds[1]]));
    assert.deepEqual(await header("X-Empty", ""), new Set([emailIds[1]]));
    assert.ok(logged.some((obj) => "done" in obj && obj.done === 2 && "seconds" in obj));
  });

  it("is idempotent: an email queued again after its rows were written keeps one set of rows", async () => {
    await store.close();
    const db = new Database(dbPath());
    db.prepare("INSERT INTO email_headers_backfill (email_id) VALUES (?)").run(emailIds[0]);
    db.close();
    store = await openSqliteStore({ dataDir });
    assert.deepEqual(headerRows(), appendedRows);
    const queued = new Database(dbPath(), { readonly: true });
    assert.equal(
      (queued.prepare("SELECT count(*) AS n FROM email_headers_backfill").get() as { n: number }).n,
      0,
    );
    queued.close();
  });

  it("new appends are not queued: they write their rows themselves", async () => {
    const raw = Buffer.from("From: c@example.test\r\nX-Planted: third\r\n\r\nbody three\r\n");
    const [result] = await store.messages.appendMany(accountId, mailboxId, [
      {
        blobHash: (await store.blobs.put(raw)).hash,
        index: indexMessage(raw),
        flags: { system: new Set(), keywords: [] },
        internalDateMs: Date.now(),
      },
    ]);
    assert.ok(result);
    await store.close();
    store = await openSqliteStore({ dataDir });
    assert.deepEqual(await header("X-Planted", "third"), new Set([result.emailId]));
    assert.equal(headerRows().filter((row) => row.email_id === result.emailId).length, 2);
  });
});

// MetadataRepository on SQLite: RFC 5464 annotations as rows keyed by (account, mailbox or "" for the
// server, owner of a private entry or 0 for a shared one, name); a write is one transaction that applies
// every change, then checks the limits and rolls back if one is passed.
import type { AccountId, MailboxId, ModSeq } from "../../kit/ids.js";
import { MailError } from "../../kit/mail-error.js";
import type {
  MetadataLimits,
  MetadataRecord,
  MetadataRepository,
  MetadataWrite,
  MetadataWriteOutcome,
} from "../mail-store.js";
import {
  MetadataLimitReached,
  type MetadataRow,
  type MetadataUsage,
  mailboxKey,
  metadataLimitPassed,
  toMetadataRecord,
} from "../metadata-rows.js";
import type { SqliteDatabase } from "./sqlite-database.js";

/** Above this many mailboxes a list reads the whole account's entries and filters them here. */
const MAX_MAILBOXES_BY_QUERY = 8;

export class SqliteMetadata implements MetadataRepository {
  constructor(readonly sql: SqliteDatabase) {}

  async list(
    accountId: AccountId,
    viewer: AccountId,
    mailboxIds?: readonly (MailboxId | null)[],
  ): Promise<MetadataRecord[]> {
    const visible = "account_id = ? AND (owner_id IS NULL OR owner_id = ?)";
    const order = "ORDER BY ifnull(mailbox_id, ''), name, ifnull(owner_id, 0)";
    if (mailboxIds !== undefined && mailboxIds.length <= MAX_MAILBOXES_BY_QUERY) {
      if (mailboxIds.length === 0) return [];
      const keys = [...new Set(mailboxIds.map(mailboxKey))];
      return this.sql
        .stmt<MetadataRow>(
          `SELECT mailbox_id, owner_id, name, value FROM metadata
           WHERE ${visible} AND ifnull(mailbox_id, '') IN (${keys.map(() => "?").join(", ")}) ${order}`,
        )
        .all(accountId, viewer, ...keys)
        .map(toMetadataRecord);
    }
    const rows = this.sql
      .stmt<MetadataRow>(`SELECT mailbox_id, owner_id, name, value FROM metadata WHERE ${visible} ${order}`)
      .all(accountId, viewer);
    const wanted = mailboxIds === undefined ? null : new Set(mailboxIds.map(mailboxKey));
    return rows.filter((row) => wanted === null || wanted.has(row.mailbox_id ?? "")).map(toMetadataRecord);
  }

  async write(
    accountId: AccountId,
    mailboxId: MailboxId | null,
    writes: readonly MetadataWrite[],
    limits: MetadataLimits,
  ): Promise<MetadataWriteOutcome> {
    try {
      this.sql.write((scope) => {
        if (!this.sql.stmt("SELECT 1 FROM accounts WHERE id = ?").get(accountId)) {
          throw new MailError("nonexistent", "Account does not exist");
        }
        if (
          mailboxId !== null &&
          !this.sql.stmt("SELECT 1 FROM mailboxes WHERE id = ? AND account_id = ?").get(mailboxId, accountId)
        ) {
          throw new MailError("nonexistent", "Mailbox does not exist");
        }
        const before = this.#usage(accountId, mailboxId);
        for (const write of writes) {
          this.sql
            .stmt(
              `DELETE FROM metadata WHERE account_id = ? AND ifnull(mailbox_id, '') = ?
               AND ifnull(owner_id, 0) = ? AND name = ?`,
            )
            .run(accountId, mailboxKey(mailboxId), write.ownerId ?? 0, write.name);
          if (write.value !== null) {
            this.sql
              .stmt(
                "INSERT INTO metadata (account_id, mailbox_id, owner_id, name, value) VALUES (?, ?, ?, ?, ?)",
              )
              .run(accountId, mailboxId, write.ownerId, write.name, asBuffer(write.value));
          }
        }
        const passed = metadataLimitPassed(before, this.#usage(accountId, mailboxId), limits);
        if (passed !== null) throw new MetadataLimitReached(passed);
        // For NOTIFY's metadata events: annotations take no modseq, so the event carries none (0).
        scope.emit({ accountId, mailboxId, modSeq: 0 as ModSeq });
      });
      return "written";
    } catch (error) {
      if (error instanceof MetadataLimitReached) return error.outcome;
      throw error;
    }
  }

  #usage(accountId: AccountId, mailboxId: MailboxId | null): MetadataUsage {
    const entries = this.sql
      .stmt<{ n: number }>(
        "SELECT count(*) AS n FROM metadata WHERE account_id = ? AND ifnull(mailbox_id, '') = ?",
      )
      .get(accountId, mailboxKey(mailboxId));
    const bytes = this.sql
      .stmt<{ n: number }>(
        "SELECT ifnull(sum(length(CAST(name AS BLOB)) + length(value)), 0) AS n FROM metadata WHERE account_id = ?",
      )
      .get(accountId);
    return { entries: entries?.n ?? 0, accountBytes: bytes?.n ?? 0 };
  }
}

/** better-sqlite3 binds a Buffer as a BLOB; this views the same bytes without copying. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

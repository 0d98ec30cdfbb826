// MetadataRepository on PostgreSQL: RFC 5464 annotations as rows keyed by (account, mailbox or "" for
// the server, owner of a private entry or 0 for a shared one, name). A write holds the account's row lock
// (pg-database.ts), applies every change, then checks the limits and rolls back if one is passed.
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
import type { PgDatabase, Sql } from "./pg-database.js";

export class PgMetadata implements MetadataRepository {
  constructor(readonly sql: PgDatabase) {}

  async list(
    accountId: AccountId,
    viewer: AccountId,
    mailboxIds?: readonly (MailboxId | null)[],
  ): Promise<MetadataRecord[]> {
    if (mailboxIds !== undefined && mailboxIds.length === 0) return [];
    const keys = mailboxIds === undefined ? null : [...new Set(mailboxIds.map(mailboxKey))];
    const rows = await this.sql.rows<MetadataRow>(
      `SELECT mailbox_id, owner_id, name, value FROM metadata
       WHERE account_id = $1 AND (owner_id IS NULL OR owner_id = $2)
         AND ($3::text[] IS NULL OR coalesce(mailbox_id, '') = ANY($3::text[]))
       ORDER BY coalesce(mailbox_id, ''), name, coalesce(owner_id, 0)`,
      [accountId, viewer, keys],
    );
    return rows.map(toMetadataRecord);
  }

  async write(
    accountId: AccountId,
    mailboxId: MailboxId | null,
    writes: readonly MetadataWrite[],
    limits: MetadataLimits,
  ): Promise<MetadataWriteOutcome> {
    try {
      await this.sql.writeAccount(accountId, async (tx) => {
        if (
          mailboxId !== null &&
          !(await tx.one("SELECT 1 FROM mailboxes WHERE id = $1 AND account_id = $2", [mailboxId, accountId]))
        ) {
          throw new MailError("nonexistent", "Mailbox does not exist");
        }
        const before = await usage(tx, accountId, mailboxId);
        for (const write of writes) {
          await tx.run(
            `DELETE FROM metadata WHERE account_id = $1 AND coalesce(mailbox_id, '') = $2
             AND coalesce(owner_id, 0) = $3 AND name = $4`,
            [accountId, mailboxKey(mailboxId), write.ownerId ?? 0, write.name],
          );
          if (write.value !== null) {
            await tx.run(
              "INSERT INTO metadata (account_id, mailbox_id, owner_id, name, value) VALUES ($1, $2, $3, $4, $5)",
              [accountId, mailboxId, write.ownerId, write.name, asBuffer(write.value)],
            );
          }
        }
        const passed = metadataLimitPassed(before, await usage(tx, accountId, mailboxId), limits);
        if (passed !== null) throw new MetadataLimitReached(passed);
        // For NOTIFY's metadata events: annotations take no modseq, so the event carries none (0).
        tx.emit({ accountId, mailboxId, modSeq: 0 as ModSeq });
      });
      return "written";
    } catch (error) {
      if (error instanceof MetadataLimitReached) return error.outcome;
      throw error;
    }
  }
}

async function usage(sql: Sql, accountId: AccountId, mailboxId: MailboxId | null): Promise<MetadataUsage> {
  const row = await sql.one<{ entries: number; bytes: number }>(
    `SELECT
       (SELECT count(*) FROM metadata WHERE account_id = $1 AND coalesce(mailbox_id, '') = $2) AS entries,
       (SELECT coalesce(sum(octet_length(name) + octet_length(value)), 0) FROM metadata
        WHERE account_id = $1) AS bytes`,
    [accountId, mailboxKey(mailboxId)],
  );
  return { entries: row?.entries ?? 0, accountBytes: row?.bytes ?? 0 };
}

/** node-postgres sends a Buffer as bytea; this views the same bytes without copying. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

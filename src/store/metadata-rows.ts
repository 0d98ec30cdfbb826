// Metadata rows (RFC 5464 annotations) as both backends store them, their mapping to MetadataRecord, and
// the limit rule of MetadataRepository.write, so SQLite and PostgreSQL decide alike.
import type { AccountId, MailboxId } from "../kit/ids.js";
import type { MetadataLimits, MetadataRecord, MetadataWriteOutcome } from "./mail-store.js";

export interface MetadataRow {
  mailbox_id: string | null;
  owner_id: number | null;
  name: string;
  value: Uint8Array;
}

export function toMetadataRecord(row: MetadataRow): MetadataRecord {
  return {
    mailboxId: row.mailbox_id as MailboxId | null,
    ownerId: row.owner_id as AccountId | null,
    name: row.name,
    value: row.value,
  };
}

/** A mailbox's entry count and the account's metadata bytes, before or after a write. */
export interface MetadataUsage {
  readonly entries: number;
  readonly accountBytes: number;
}

/** The limit a write passes, if any: only a count the write grows can fail it (removals always pass). */
export function metadataLimitPassed(
  before: MetadataUsage,
  after: MetadataUsage,
  limits: MetadataLimits,
): Exclude<MetadataWriteOutcome, "written"> | null {
  if (after.entries > limits.maxEntriesPerMailbox && after.entries > before.entries) return "tooManyEntries";
  if (after.accountBytes > limits.maxAccountBytes && after.accountBytes > before.accountBytes) {
    return "accountFull";
  }
  return null;
}

/** The key a mailbox id has in the unique index: "" stands for the server. */
export const mailboxKey = (mailboxId: MailboxId | null): string => mailboxId ?? "";

/** Thrown inside a write transaction to roll it back when a limit would be passed. */
export class MetadataLimitReached extends Error {
  constructor(readonly outcome: Exclude<MetadataWriteOutcome, "written">) {
    super(outcome);
  }
}

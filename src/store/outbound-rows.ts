// The outbound_queue row shape both backends share (SQLite and PostgreSQL name the columns alike), and
// its mapping to OutboundRecord; the drivers return bigint columns as numbers or strings.
import type { AccountId, BlobHash } from "../kit/ids.js";
import type { OutboundRecord } from "./mail-store.js";

export interface OutboundRow {
  id: string;
  message_id: string;
  account_id: number | string | null;
  submission_id: string | null;
  return_path: string;
  recipient: string;
  blob_hash: string;
  size: number | string;
  created_at: number | string;
  next_attempt_at: number | string;
  attempts: number | string;
  last_error: string | null;
}

export const OUTBOUND_COLUMNS =
  "id, message_id, account_id, submission_id, return_path, recipient, blob_hash, size, created_at, next_attempt_at, attempts, last_error";

export function toOutboundRecord(row: OutboundRow): OutboundRecord {
  return {
    id: row.id,
    messageId: row.message_id,
    accountId: row.account_id === null ? null : (Number(row.account_id) as AccountId),
    submissionId: row.submission_id,
    returnPath: row.return_path,
    recipient: row.recipient,
    blobHash: row.blob_hash as BlobHash,
    size: Number(row.size),
    createdAtMs: Number(row.created_at),
    nextAttemptAtMs: Number(row.next_attempt_at),
    attempts: Number(row.attempts),
    lastError: row.last_error,
  };
}

/** The row's values in OUTBOUND_COLUMNS order. */
export function outboundValues(record: OutboundRecord): unknown[] {
  return [
    record.id,
    record.messageId,
    record.accountId,
    record.submissionId,
    record.returnPath,
    record.recipient,
    record.blobHash,
    record.size,
    record.createdAtMs,
    record.nextAttemptAtMs,
    record.attempts,
    record.lastError,
  ];
}

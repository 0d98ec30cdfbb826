// Writes the header index (email_headers) of emails stored before it existed, so IMAP `HEADER` search
// (RFC 9051 §6.4.4) finds them: each email queued by migration 11 has its header read from its blob and
// parsed as at append. Runs at open, before the store is used; resumable, since the queue shrinks per batch.
import type { BlobHash, EmailId } from "../../kit/ids.js";
import type { Logger } from "../../kit/logger.js";
import { headerFieldsOf } from "../../mime/index/index-message.js";
import type { IndexedHeaderField } from "../../mime/message-index.js";
import type { BlobStore } from "../mail-store.js";
import type { SqliteDatabase } from "./sqlite-database.js";
import { insertHeaderFields } from "./sqlite-search.js";

/** Emails per write transaction: large enough to amortize the commit's fsync, small enough to keep
 * other writers (a second process) waiting only briefly. */
const BATCH_EMAILS = 500;
/** How often a long backfill reports its progress. */
const PROGRESS_INTERVAL_MS = 10_000;

interface QueuedEmail {
  readonly email_id: string;
  readonly blob_hash: string;
  /** End of the message header (the stored index's root bodyStart); null when the index lacks it. */
  readonly header_bytes: number | null;
}

/** The header fields of one queued email, or null when its blob cannot be read. */
type Parsed = { readonly emailId: EmailId; readonly fields: readonly IndexedHeaderField[] | null };

/** Empties the backfill queue of migration 11; returns how many emails got header rows. */
export async function backfillHeaderIndex(
  sql: SqliteDatabase,
  blobs: BlobStore,
  log: Logger,
): Promise<number> {
  const queued = sql.stmt<{ n: number }>("SELECT count(*) AS n FROM email_headers_backfill").get()?.n ?? 0;
  if (queued === 0) return 0;
  log.info({ queued }, "header index: indexing the header fields of emails stored before it");
  const startedMs = Date.now();
  let lastReportMs = startedMs;
  let done = 0;
  for (;;) {
    const batch = sql
      .stmt<QueuedEmail>(
        `SELECT q.email_id, m.blob_hash, json_extract(i.json, '$.root.bodyStart') AS header_bytes
         FROM email_headers_backfill q JOIN emails m ON m.id = q.email_id
         LEFT JOIN email_index i ON i.email_id = q.email_id
         ORDER BY q.rowid LIMIT ?`,
      )
      .all(BATCH_EMAILS);
    if (batch.length === 0) break;
    const parsed: Parsed[] = [];
    for (const email of batch) parsed.push(await parseQueuedEmail(blobs, email, log));
    done += writeBatch(sql, parsed);
    if (Date.now() - lastReportMs >= PROGRESS_INTERVAL_MS) {
      lastReportMs = Date.now();
      log.info({ done, queued, seconds: (lastReportMs - startedMs) / 1000 }, "header index: progress");
    }
  }
  log.info({ done, seconds: (Date.now() - startedMs) / 1000 }, "header index: complete");
  return done;
}

async function parseQueuedEmail(blobs: BlobStore, email: QueuedEmail, log: Logger): Promise<Parsed> {
  const emailId = email.email_id as EmailId;
  try {
    const header = await readHeader(blobs, email.blob_hash as BlobHash, email.header_bytes);
    return { emailId, fields: headerFieldsOf(header) };
  } catch (error) {
    // A missing blob cannot be indexed now or later; the email stays out of HEADER results.
    log.warn({ emailId, err: error }, "header index: cannot read the email's blob; skipped");
    return { emailId, fields: null };
  }
}

/** The message's header bytes; the whole blob when the index does not say where the header ends. */
async function readHeader(blobs: BlobStore, hash: BlobHash, headerBytes: number | null): Promise<Buffer> {
  if (headerBytes === null) return blobs.read(hash);
  const chunks: Uint8Array[] = [];
  for await (const chunk of blobs.readRange(hash, 0, headerBytes)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * One transaction: each email still queued leaves the queue and, unless something (another process
 * backfilling the same database) already wrote its rows, gets them. Returns the emails given rows.
 */
function writeBatch(sql: SqliteDatabase, parsed: readonly Parsed[]): number {
  const dequeue = sql.stmt("DELETE FROM email_headers_backfill WHERE email_id = ?");
  const hasRows = sql.stmt("SELECT 1 FROM email_headers WHERE email_id = ? LIMIT 1");
  return sql.db
    .transaction(() => {
      let written = 0;
      for (const { emailId, fields } of parsed) {
        if (dequeue.run(emailId).changes === 0 || fields === null) continue;
        if (hasRows.get(emailId) !== undefined) continue;
        insertHeaderFields(sql, emailId, fields);
        written++;
      }
      return written;
    })
    .immediate();
}

// The trigram index's catch-up (migration 25): email_search rows above search_index_progress.indexed_upto
// are not in email_search_fts yet; this indexes the next of them and moves the mark, on whichever
// connection runs it (search-index-worker.ts in a worker thread, or the main one inside its transaction).
import type Database from "better-sqlite3";

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** A statement prepared once per connection. */
function prepared(db: Database.Database, sql: string): Database.Statement {
  let byText = statements.get(db);
  if (byText === undefined) {
    byText = new Map();
    statements.set(db, byText);
  }
  let statement = byText.get(sql);
  if (statement === undefined) {
    statement = db.prepare(sql);
    byText.set(sql, statement);
  }
  return statement;
}

/** SQL for "this email_search row is not in the trigram index yet" (alias `s`): searches scan such rows. */
export const IS_PENDING_SEARCH_ROW = "s.id > (SELECT indexed_upto FROM search_index_progress)";

/**
 * Indexes up to `limit` pending rows, oldest first, and moves the mark past them; the caller runs it in
 * a write transaction, so the rows and the mark change together. Returns whether rows remain pending.
 */
export function indexPendingSearchRows(db: Database.Database, limit: number): boolean {
  const progress = prepared(db, "SELECT indexed_upto FROM search_index_progress").get() as
    | { indexed_upto: number }
    | undefined;
  const from = progress?.indexed_upto ?? 0;
  const batch = prepared(
    db,
    `SELECT count(*) AS n, max(id) AS last
       FROM (SELECT id FROM email_search WHERE id > ? ORDER BY id LIMIT ?)`,
  ).get(from, limit) as { n: number; last: number | null };
  if (batch.last === null) return false;
  prepared(
    db,
    `INSERT INTO email_search_fts (rowid, subject, from_text, to_text, cc_text, bcc_text, body_text)
     SELECT id, subject, from_text, to_text, cc_text, bcc_text, body_text FROM email_search
     WHERE id > ? AND id <= ? ORDER BY id`,
  ).run(from, batch.last);
  prepared(db, "UPDATE search_index_progress SET indexed_upto = ?").run(batch.last);
  return batch.n >= limit;
}

/** Whether any email_search row waits for the index (one rowid range probe). */
export function hasPendingSearchRows(db: Database.Database): boolean {
  const row = prepared(
    db,
    `SELECT EXISTS (SELECT 1 FROM email_search s WHERE ${IS_PENDING_SEARCH_ROW}) AS pending`,
  ).get() as { pending: number };
  return row.pending === 1;
}

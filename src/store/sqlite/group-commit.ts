// Group commit: concurrent writes (LMTP deliveries on several connections, one per recipient) share one
// write transaction and one fsync. A group commits without the fsync that synchronous=FULL would do on the
// main thread; the WAL is fsynced off it instead, and writes that arrive during that fsync gather into the
// next group, which commits when it ends. Callers resolve only after the fsync covering their commit, so
// nothing is acknowledged before it is durable (other sessions of this process may read the rows during
// that fsync). Each write runs in its own savepoint: one that fails is rolled back alone and only its
// caller rejects. Between two groups the search-index worker may take the write lock to index the
// search rows of the last ones (search-indexer.ts): it starts when a group has committed, runs while
// the WAL is fsynced, and the next group waits for it, so neither connection waits on the other's lock.
// A catch-up starts once SEARCH_INDEX_BATCH_ROWS rows wait, or once commits have been quiet for
// SEARCH_INDEX_QUIET_MS: FTS5 costs a row about 380 µs in catch-ups of 2 rows and 210 in catch-ups of 16,
// and every catch-up holds the next group back (docs/performance.md "Delivery's index in batches").
// Rows not yet indexed are found by scanning them, so a search's answer never depends on when.

import { noSpaceErrorOf } from "../../kit/mail-error.js";
import type { ChangeEvent } from "../mail-store.js";
import { fsyncPath } from "../shared-fsync.js";
import type { SqliteDatabase, WriteScope } from "./sqlite-database.js";

type Write<T> = (scope: WriteScope) => T;

/** New search rows that start a catch-up with the commit that brings them to this many. */
const SEARCH_INDEX_BATCH_ROWS = 16;
/** Fewer rows are indexed once no commit has come for this long. */
const SEARCH_INDEX_QUIET_MS = 20;

type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown };

interface Queued {
  readonly write: Write<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class GroupCommit {
  #queue: Queued[] = [];
  #isScheduled = false;
  #isSyncing = false;
  /** A catch-up of the search index is due even with no write queued (a backlog, rows left at open). */
  #isIndexDue = false;
  /** Where committed transactions wait for a checkpoint; null for an in-memory database. */
  readonly #walPath: string | null;
  /** Starts a catch-up of the rows waiting once commits are quiet; null when none is armed. */
  #quietTimer: NodeJS.Timeout | null = null;

  constructor(private readonly sql: SqliteDatabase) {
    this.#walPath = sql.db.memory ? null : `${sql.db.name}-wal`;
  }

  /**
   * Runs `write` in the next group's transaction; resolves after that transaction committed and the WAL
   * holding it was fsynced, rejects with the write's own error, the commit's or the fsync's.
   */
  run<T>(write: Write<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  /** Runs a search-index catch-up as soon as no group is committing, even if no write comes. */
  indexSoon(): void {
    this.#isIndexDue = true;
    this.#schedule();
  }

  /** No catch-up is started from now on (the database is closing). */
  close(): void {
    this.#cancelQuietTimer();
  }

  /** Commits after the I/O callbacks of this loop turn, so writes that became ready with this one join it. */
  #schedule(): void {
    if (this.#isScheduled || this.#isSyncing) return;
    if (this.#queue.length === 0 && !this.#isIndexDue) return;
    this.#isScheduled = true;
    setImmediate(() => void this.#commit());
  }

  async #commit(): Promise<void> {
    this.#isScheduled = false;
    const isIndexDue = this.#isIndexDue;
    this.#isIndexDue = false;
    const group = this.#queue;
    this.#queue = [];
    this.#isSyncing = true;
    let isIndexing = false;
    let indexing: Promise<boolean> = Promise.resolve(false);
    try {
      const outcomes = group.length === 0 ? [] : this.#write(group);
      isIndexing = isIndexDue || this.sql.searchRowsWaiting >= SEARCH_INDEX_BATCH_ROWS;
      if (isIndexing) {
        this.#cancelQuietTimer();
        indexing = this.sql.catchUpSearchIndex();
      }
      if (this.#walPath !== null && group.length > 0) await syncWal(this.#walPath, this.sql.db.name);
      group.forEach(({ resolve, reject }, i) => {
        const outcome = outcomes[i];
        if (outcome?.ok) resolve(outcome.value);
        else reject(noSpaceErrorOf(outcome?.error) ?? outcome?.error);
      });
    } catch (error) {
      for (const { reject } of group) reject(noSpaceErrorOf(error) ?? error);
    } finally {
      // The next group's transaction starts once the worker's has committed (a failed catch-up leaves
      // its rows pending, searched by scanning, and never stops the commits).
      this.#isIndexDue = (await indexing.catch(() => false)) || this.#isIndexDue;
      this.#isSyncing = false;
      if (!isIndexing && this.sql.searchRowsWaiting > 0) this.#indexWhenQuiet();
      this.#schedule();
    }
  }

  /** (Re)arms the quiet timer: the rows waiting are indexed if no commit comes before it fires. */
  #indexWhenQuiet(): void {
    this.#cancelQuietTimer();
    this.#quietTimer = setTimeout(() => {
      this.#quietTimer = null;
      this.indexSoon();
    }, SEARCH_INDEX_QUIET_MS);
    // A server with nothing else to do does not stay up for it: the rows are indexed at the next open.
    this.#quietTimer.unref();
  }

  #cancelQuietTimer(): void {
    if (this.#quietTimer !== null) clearTimeout(this.#quietTimer);
    this.#quietTimer = null;
  }

  /** The group's transaction, each write in its savepoint; throws if the transaction itself failed. */
  #write(group: readonly Queued[]): Outcome[] {
    const outcomes: Outcome[] = [];
    this.#withoutCommitFsync(() =>
      this.sql.write((scope) => {
        for (const { write } of group) outcomes.push(this.#inSavepoint(scope, write));
      }),
    );
    return outcomes;
  }

  /** Runs `fn` with synchronous=NORMAL: WAL commits are written but not fsynced (#commit does that). */
  #withoutCommitFsync(fn: () => void): void {
    if (this.#walPath === null) {
      fn();
      return;
    }
    // Cached statements: db.pragma() prepares its statement again at every call, twice per group.
    const previous = this.sql.stmt<{ synchronous: number }>("PRAGMA synchronous").get()?.synchronous ?? 2;
    this.sql.stmt("PRAGMA synchronous = NORMAL").run();
    try {
      fn();
    } finally {
      this.sql.stmt(`PRAGMA synchronous = ${Number(previous)}`).run();
    }
  }

  /**
   * One write in a savepoint; its change events and deferred work reach the transaction only if it
   * succeeded. Deferred work (search-index inserts) runs after every savepoint of the group, outside
   * them: FTS5 writes a segment per savepoint, so the group's index rows then go out as one.
   */
  #inSavepoint(scope: WriteScope, write: Write<unknown>): Outcome {
    const events: ChangeEvent[] = [];
    const deferred: (() => void)[] = [];
    const ownScope: WriteScope = {
      // Inside the savepoint: a rolled-back write gives its modseq back.
      nextModSeq: (accountId) => scope.nextModSeq(accountId),
      emit: (event) => events.push(event),
      defer: (work) => deferred.push(work),
    };
    try {
      // A transaction inside a transaction is a savepoint in better-sqlite3.
      const value = this.sql.db.transaction(() => write(ownScope))();
      for (const event of events) scope.emit(event);
      for (const work of deferred) scope.defer(work);
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error };
    }
  }
}

/**
 * fsyncs the WAL. A checkpoint may have copied the commit into the database file and reset the WAL
 * meanwhile; SQLite syncs both when it checkpoints, so a missing WAL file needs only the database synced.
 */
async function syncWal(walPath: string, databasePath: string): Promise<void> {
  try {
    await fsyncPath(walPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await fsyncPath(databasePath);
  }
}

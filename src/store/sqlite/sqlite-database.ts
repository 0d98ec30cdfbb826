// One SQLite connection for the embedded store: durable pragmas, migrations, and the write
// transaction helper that publishes change events only after the commit is on disk.
import Database from "better-sqlite3";
import type { AccountId, ModSeq } from "../../kit/ids.js";
import { rethrowStorageError } from "../../kit/mail-error.js";
import { METRICS } from "../../kit/metrics.js";
import type { ChangeEvent, ChangeNotifier } from "../mail-store.js";
import { GroupCommit } from "./group-commit.js";
import { MIGRATIONS } from "./schema.js";
import { hasPendingSearchRows, indexPendingSearchRows } from "./search-index-catch-up.js";
import { SearchIndexer } from "./search-indexer.js";

export type Db = Database.Database;

/** Collects the events of one write transaction; they are published after it commits. */
export interface WriteScope {
  /** Takes the account's next modseq (one per mutation, shared by every row it touches). */
  nextModSeq(accountId: AccountId): ModSeq;
  emit(event: ChangeEvent): void;
  /**
   * Runs `work` later in the same transaction, after the writes sharing it succeeded: a group commit's
   * writes each run in a savepoint, and FTS5 writes its pending index rows out as a new segment at every
   * savepoint, so the search-index inserts of a whole group are deferred to run together (one segment).
   */
  defer(work: () => void): void;
}

/**
 * Where new search rows get into the trigram index (search-indexer.ts): "worker" (a file database's
 * default) after the commit, in a worker thread; "inline" in the writing transaction itself; "paused"
 * never (tests of the search over pending rows).
 */
export type SearchIndexing = "worker" | "inline" | "paused";

/**
 * Pending rows one catch-up indexes beyond those appended since the last one: it always takes the new
 * rows (so bulk appends never build a backlog), and a backlog (left by a crash) goes 500 rows per group.
 */
const SEARCH_BACKLOG_ROWS = 500;

export class SqliteDatabase {
  readonly db: Db;
  readonly #notifier: ChangeNotifier;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #nextModSeq: Database.Statement<[number], { highest_modseq: number }>;
  #group: GroupCommit | null = null;
  readonly #searchIndexing: SearchIndexing;
  readonly #searchIndexer: SearchIndexer | null;
  /** Whether email_search may hold rows the trigram index does not (set by appends, cleared by catch-ups). */
  #hasPendingSearchRows: boolean;
  /** Counts notes of new search rows, so a catch-up that raced with one does not clear the flag. */
  #searchRowsNoted = 0;
  /** #searchRowsNoted when the last catch-up started. */
  #searchRowsCaughtUp = 0;
  #isClosed = false;

  readonly #writeLatency = METRICS.storeWrites.bind({ backend: "sqlite" });

  constructor(path: string, notifier: ChangeNotifier, searchIndexing: SearchIndexing = "worker") {
    this.db = new Database(path);
    // WAL with synchronous=FULL: every commit is fsynced before it returns, so acknowledged
    // changes survive power loss, while readers never block the writer.
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.pragma("foreign_keys = ON");
    // Another process (the CLI, a second store) may hold the write lock briefly.
    this.db.pragma("busy_timeout = 10000");
    this.db.pragma("cache_size = -65536");
    // Pages are read through a memory map of the file's first GiB instead of a pread and a copy into
    // SQLite's cache each: a 7 KB body read (POP3 RETR, IMAP BODY[]) costs about a quarter less, and the
    // pages are the kernel's page cache, shared, not a second copy in the heap. Writes still go through
    // the WAL as before; only a disk that fails a read under the map ends the process (SIGBUS) instead
    // of failing the statement.
    this.db.pragma("mmap_size = 1073741824");
    // A checkpoint runs inside the commit that crosses this many WAL pages, on the main thread, and ends
    // with an fsync of the database file. At SQLite's default (1,000 pages, 4 MB: about every ten
    // deliveries' worth) the quick LMTP bench delivered 88 messages/s (median of 7 runs); at 8,000
    // (32 MB) 120, as hot pages (index b-trees, FTS5 structure) are copied once per checkpoint instead
    // of once per few commits, and the main thread stalls on fewer fsyncs (docs/performance.md).
    this.db.pragma("wal_autocheckpoint = 8000");
    this.#migrate();
    this.#notifier = notifier;
    this.#nextModSeq = this.db.prepare(
      "UPDATE accounts SET highest_modseq = highest_modseq + 1 WHERE id = ? RETURNING highest_modseq",
    );
    // A worker needs a database file it can open; an in-memory one indexes in its own transactions.
    this.#searchIndexing = searchIndexing === "worker" && this.db.memory ? "inline" : searchIndexing;
    this.#searchIndexer = this.#searchIndexing === "worker" ? new SearchIndexer(this.db.name) : null;
    this.#hasPendingSearchRows = hasPendingSearchRows(this.db);
    // Rows left pending by an earlier process (stopped before its worker caught up) are indexed now.
    if (this.#hasPendingSearchRows && this.#searchIndexer !== null) this.#groupCommit().indexSoon();
  }

  /** An append wrote rows to email_search (inside the current write transaction). */
  noteSearchRows(): void {
    this.#hasPendingSearchRows = true;
    this.#searchRowsNoted++;
  }

  /** Search rows appended since the last catch-up took its rows (0 where no worker indexes them). */
  get searchRowsWaiting(): number {
    return this.#searchIndexer === null ? 0 : this.#searchRowsNoted - this.#searchRowsCaughtUp;
  }

  /**
   * Lets the worker index pending search rows (one batch); called by the group commit between its
   * transactions. Resolves with whether rows are (still or again) pending; never rejects.
   */
  async catchUpSearchIndex(): Promise<boolean> {
    if (this.#searchIndexer === null || !this.#hasPendingSearchRows || this.#isClosed) return false;
    const noted = this.#searchRowsNoted;
    const since = this.#searchRowsCaughtUp;
    this.#searchRowsCaughtUp = noted;
    const reply = await this.#searchIndexer.catchUp(SEARCH_BACKLOG_ROWS + (noted - since));
    if (reply.kind === "failed") {
      // The rows stay pending (searches scan them) until the next group commit retries, taking them all.
      this.#searchRowsCaughtUp = since;
      return false;
    }
    if (!reply.hasMore && noted === this.#searchRowsNoted) this.#hasPendingSearchRows = false;
    return reply.hasMore;
  }

  #migrate(): void {
    const current = this.db.pragma("user_version", { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new Error(
        `database schema version ${current} is newer than this Postfach (${MIGRATIONS.length})`,
      );
    }
    for (let version = current; version < MIGRATIONS.length; version++) {
      this.db.transaction(() => {
        this.db.exec(this.#withoutExistingColumns(MIGRATIONS[version] as string));
        this.db.pragma(`user_version = ${version + 1}`);
      })();
    }
  }

  /**
   * The migration without its `ALTER TABLE t ADD COLUMN c …;` statements for columns that exist: SQLite
   * has no ADD COLUMN IF NOT EXISTS, and every migration must be safe to run twice, as the others are with
   * IF NOT EXISTS (a store restored or rewound to an older user_version runs the later ones again).
   */
  #withoutExistingColumns(sql: string): string {
    return sql.replace(
      /ALTER TABLE (\w+) ADD COLUMN (\w+)[^;]*;/gi,
      (statement, table: string, column: string) => {
        const columns = this.db.pragma(`table_info(${table})`) as { name: string }[];
        return columns.some((c) => c.name.toLowerCase() === column.toLowerCase()) ? "" : statement;
      },
    );
  }

  /**
   * Runs `fn` as one IMMEDIATE transaction (taking the write lock up front, so two writers never
   * deadlock on upgrade) followed by the work it deferred, then publishes the events it emitted.
   */
  write<T>(fn: (scope: WriteScope) => T): T {
    const events: ChangeEvent[] = [];
    const deferred: (() => void)[] = [];
    const scope: WriteScope = {
      nextModSeq: (accountId) => {
        const row = this.#nextModSeq.get(accountId);
        if (!row) throw new Error(`account ${accountId} vanished inside a transaction`);
        return row.highest_modseq as ModSeq;
      },
      emit: (event) => events.push(event),
      defer: (work) => deferred.push(work),
    };
    let result: T;
    const startedMs = performance.now();
    try {
      result = this.db
        .transaction((inner: WriteScope) => {
          const value = fn(inner);
          for (let i = 0; i < deferred.length; i++) (deferred[i] as () => void)();
          if (this.#searchIndexing === "inline" && this.#hasPendingSearchRows) {
            indexPendingSearchRows(this.db, Number.MAX_SAFE_INTEGER);
            this.#hasPendingSearchRows = false;
          }
          return value;
        })
        .immediate(scope);
    } catch (error) {
      rethrowStorageError(error);
    } finally {
      this.#writeLatency.observe((performance.now() - startedMs) / 1000);
    }
    for (const event of events) this.#notifier.publish(event);
    return result;
  }

  /**
   * Like `write`, but the transaction is shared with the writes requested alongside it and its WAL is
   * fsynced off the main thread (group-commit.ts): for the writes of sessions (appends, flag changes,
   * expunges), so one session's fsync never stalls the others. Resolves once the change is durable.
   */
  writeGrouped<T>(fn: (scope: WriteScope) => T): Promise<T> {
    return this.#groupCommit().run(fn);
  }

  #groupCommit(): GroupCommit {
    this.#group ??= new GroupCommit(this);
    return this.#group;
  }

  /** A prepared statement, cached by its SQL text (preparing costs more than running). */
  stmt<Row = unknown>(sql: string): Database.Statement<unknown[], Row> {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement as Database.Statement<unknown[], Row>;
  }

  /** Closes the connection; the search-index worker finishes its transaction and closes its own. */
  async close(): Promise<void> {
    this.#isClosed = true;
    this.#group?.close();
    this.db.close();
    await this.#searchIndexer?.close();
  }
}

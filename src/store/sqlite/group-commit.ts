// Group commit: writes requested in the same turn of the event loop (several LMTP deliveries whose blobs
// became durable together) run in one write transaction, each in its own savepoint, so one that fails is
// rolled back alone and only its caller rejects. The transaction commits without the fsync that
// synchronous=FULL would do on the main thread; the WAL is fsynced off it instead (SharedFsync), shared
// with the groups that commit meanwhile, and callers resolve only after that fsync: still durable first.
import type { ChangeEvent } from "../mail-store.js";
import { SharedFsync } from "../shared-fsync.js";
import type { SqliteDatabase, WriteScope } from "./sqlite-database.js";

type Write<T> = (scope: WriteScope) => T;

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
  /** The WAL holds every commit until a checkpoint, which syncs the WAL itself first (SQLite's rule). */
  readonly #walSync: SharedFsync | null;

  constructor(private readonly sql: SqliteDatabase) {
    this.#walSync = sql.db.memory ? null : new SharedFsync(`${sql.db.name}-wal`, sql.db.name);
  }

  /**
   * Runs `write` in the next group's transaction; resolves after that transaction committed and the WAL
   * holding it was fsynced, rejects with the write's own error, the commit's or the fsync's.
   */
  run<T>(write: Write<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // The first write of a group schedules the commit after the I/O callbacks of this loop turn, so
      // writes whose preparation (blob fsyncs) finished in the same turn join it.
      if (this.#queue.length === 0) setImmediate(() => void this.#commit());
      this.#queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  async #commit(): Promise<void> {
    const group = this.#queue;
    this.#queue = [];
    const outcomes: Outcome[] = [];
    try {
      this.#withoutCommitFsync(() =>
        this.sql.write((scope) => {
          for (const { write } of group) outcomes.push(this.#inSavepoint(scope, write));
        }),
      );
      await this.#walSync?.sync();
    } catch (error) {
      for (const { reject } of group) reject(error);
      return;
    }
    group.forEach(({ resolve, reject }, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) resolve(outcome.value);
      else reject(outcome?.error);
    });
  }

  /** Runs `fn` with synchronous=NORMAL: WAL commits are written but not fsynced (the caller does that). */
  #withoutCommitFsync(fn: () => void): void {
    if (this.#walSync === null) {
      fn();
      return;
    }
    const previous = this.sql.db.pragma("synchronous", { simple: true });
    this.sql.db.pragma("synchronous = NORMAL");
    try {
      fn();
    } finally {
      this.sql.db.pragma(`synchronous = ${Number(previous)}`);
    }
  }

  /** One write in a savepoint; its change events reach the transaction only if it succeeded. */
  #inSavepoint(
    scope: WriteScope,
    write: Write<unknown>,
  ): { ok: true; value: unknown } | { ok: false; error: unknown } {
    const events: ChangeEvent[] = [];
    const ownScope: WriteScope = {
      // Inside the savepoint: a rolled-back write gives its modseq back.
      nextModSeq: (accountId) => scope.nextModSeq(accountId),
      emit: (event) => events.push(event),
    };
    try {
      // A transaction inside a transaction is a savepoint in better-sqlite3.
      const value = this.sql.db.transaction(() => write(ownScope))();
      for (const event of events) scope.emit(event);
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error };
    }
  }
}

// One connection pool for the PostgreSQL store: 64-bit integers read as numbers, the schema's
// search_path set at connection start, and the transaction helpers every repository uses. A write
// transaction that touches an account first locks that account's row, so all writers of one account
// (on any node) are serialized like SQLite's single writer, while other accounts write in parallel.
import pg from "pg";
import type { AccountId, ModSeq } from "../../kit/ids.js";
import type { Logger } from "../../kit/logger.js";
import { MailError, noSpaceErrorOf } from "../../kit/mail-error.js";
import { METRICS } from "../../kit/metrics.js";
import type { ChangeEvent } from "../mail-store.js";
import type { AccountRow } from "./pg-rows.js";

/** Runs SQL inside the current transaction (or on the pool for one-statement reads). */
export interface Sql {
  rows<Row>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Rows as arrays of column values, in the SELECT list's order (no object per row: for long lists). */
  tuples<Tuple extends readonly unknown[]>(text: string, params?: readonly unknown[]): Promise<Tuple[]>;
  one<Row>(text: string, params?: readonly unknown[]): Promise<Row | undefined>;
  /** Runs a statement and returns how many rows it touched. */
  run(text: string, params?: readonly unknown[]): Promise<number>;
}

/** A write transaction: SQL plus the account's change counter and the events to publish after commit. */
export interface WriteTx extends Sql {
  /** Takes the account's next modseq (one per mutation, shared by every row it touches). */
  nextModSeq(accountId: AccountId): Promise<ModSeq>;
  emit(event: ChangeEvent): void;
}

/** What happens around a commit: NOTIFY inside the transaction, local delivery after it. */
export interface CommitHooks {
  /** The arguments of `pg_notify(channel, payload)` for an event, sent with the COMMIT. */
  notification(event: ChangeEvent): readonly [channel: string, payload: string];
  /** Called for each event once the transaction has committed. */
  committed(event: ChangeEvent): void;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** Counters, sizes and millisecond times stay far below 2^53, so int8 and numeric sums read as numbers. */
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format ?? "text");
  }) as typeof pg.types.getTypeParser,
};

/** PostgreSQL's error codes the store turns into mail errors or retries. */
export const PG_UNIQUE_VIOLATION = "23505";
const RETRYABLE = new Set(["40001", "40P01"]);
const MAX_ATTEMPTS = 3;

export function isPgError(error: unknown, code: string): boolean {
  return error instanceof Error && "code" in error && (error as { code?: unknown }).code === code;
}

export interface PgConnectionOptions {
  /** postgres:// URL. */
  readonly url: string;
  /** Schema that holds the tables; default: the server's search_path (usually "public"). */
  readonly schema?: string;
}

/** Client settings shared by the pool, the LISTEN connection and the migration connection. */
export function clientConfig(options: PgConnectionOptions): pg.ClientConfig {
  return {
    connectionString: options.url,
    types,
    ...(options.schema === undefined
      ? {}
      : { options: `-c search_path=${pg.escapeIdentifier(options.schema).replaceAll(" ", "\\ ")}` }),
  };
}

/** SQLSTATE classes of a lost or refused connection: 08 connection exception, 57P admin shutdown/crash/starting. */
const CONNECTION_LOST = /^(08|57P0[1-3])/;

/**
 * The database's trouble as a mail error, in one place (docs/reliability.md): a lost or refused
 * connection (the server restarting, the network) is MailError("unavailable"), a full disk "noSpace";
 * anything else is returned unchanged. The pool replaces broken connections, so the next call retries.
 */
export function pgErrorOf(error: unknown): unknown {
  const noSpace = noSpaceErrorOf(error);
  if (noSpace) return noSpace;
  if (!(error instanceof Error) || error instanceof MailError) return error;
  const code = "code" in error ? String(error.code) : "";
  const isLost =
    CONNECTION_LOST.test(code) ||
    ["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT"].includes(code) ||
    /Connection terminated|Client has encountered a connection error|not queryable/.test(error.message);
  if (!isLost) return error;
  return new MailError("unavailable", "The database is unavailable, try again later", { cause: error });
}

const rethrowPg = (error: unknown): never => {
  throw pgErrorOf(error);
};

/** Sql over one client (inside its transaction) or over the pool (each statement on its own). */
export function sqlOn(client: pg.ClientBase | pg.Pool): Sql {
  const query = (text: string, params: readonly unknown[]) =>
    client.query(text, params as unknown[]).catch(rethrowPg);
  return {
    rows: async <Row>(text: string, params: readonly unknown[] = []) =>
      (await query(text, params)).rows as Row[],
    tuples: async <Tuple extends readonly unknown[]>(text: string, params: readonly unknown[] = []) =>
      (await client.query({ text, values: params as unknown[], rowMode: "array" }).catch(rethrowPg))
        .rows as unknown as Tuple[],
    one: async <Row>(text: string, params: readonly unknown[] = []) =>
      (await query(text, params)).rows[0] as Row | undefined,
    run: async (text: string, params: readonly unknown[] = []) => (await query(text, params)).rowCount ?? 0,
  };
}

export class PgDatabase implements Sql {
  readonly pool: pg.Pool;
  readonly #hooks: CommitHooks;
  readonly #direct: Sql;
  /** The same series as the embedded store's write transactions, labelled by backend. */
  readonly #writeLatency = METRICS.storeWrites.bind({ backend: "postgres" });

  constructor(
    options: PgConnectionOptions & { readonly maxConnections: number },
    hooks: CommitHooks,
    log: Logger,
  ) {
    this.pool = new pg.Pool({ ...clientConfig(options), max: options.maxConnections });
    // An idle pooled connection that breaks (server restart, network) must not crash the process;
    // the pool drops it and the next query opens a fresh one.
    this.pool.on("error", (error) => log.warn({ err: error }, "idle PostgreSQL connection lost"));
    this.#hooks = hooks;
    this.#direct = sqlOn(this.pool);
  }

  rows<Row>(text: string, params?: readonly unknown[]): Promise<Row[]> {
    return this.#direct.rows<Row>(text, params);
  }

  tuples<Tuple extends readonly unknown[]>(text: string, params?: readonly unknown[]): Promise<Tuple[]> {
    return this.#direct.tuples<Tuple>(text, params);
  }

  one<Row>(text: string, params?: readonly unknown[]): Promise<Row | undefined> {
    return this.#direct.one<Row>(text, params);
  }

  run(text: string, params?: readonly unknown[]): Promise<number> {
    return this.#direct.run(text, params);
  }

  /**
   * Runs `fn` as one READ COMMITTED transaction, NOTIFYs its events inside it (PostgreSQL delivers them
   * only if it commits) and hands them to local subscribers after COMMIT. Deadlocks and serialization
   * failures are retried from the start; the latency observed spans every attempt, commit included.
   */
  async write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    const startedMs = performance.now();
    try {
      return await this.#writeAttempts(fn);
    } finally {
      this.#writeLatency.observe((performance.now() - startedMs) / 1000);
    }
  }

  async #writeAttempts<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const events: ChangeEvent[] = [];
      try {
        const result = await this.#transaction(
          "BEGIN",
          (sql) =>
            fn({
              ...sql,
              nextModSeq: async (accountId) => {
                const row = await sql.one<{ highest_modseq: number }>(
                  "UPDATE accounts SET highest_modseq = highest_modseq + 1 WHERE id = $1 RETURNING highest_modseq",
                  [accountId],
                );
                if (!row) throw new MailError("nonexistent", `No such account (${accountId})`);
                return row.highest_modseq as ModSeq;
              },
              emit: (event) => events.push(event),
            }),
          // The NOTIFYs travel with the COMMIT in one round trip (literals: a multi-statement query
          // takes no parameters).
          () =>
            events
              .map((event) => {
                const [channel, payload] = this.#hooks.notification(event);
                return `SELECT pg_notify(${pg.escapeLiteral(channel)}, ${pg.escapeLiteral(payload)}); `;
              })
              .join(""),
        );
        for (const event of events) this.#hooks.committed(event);
        return result;
      } catch (error) {
        const code = error instanceof Error && "code" in error ? String(error.code) : "";
        if (attempt >= MAX_ATTEMPTS || !RETRYABLE.has(code)) throw error;
      }
    }
  }

  /**
   * A write transaction that first locks the account's row (FOR UPDATE): every writer of the account
   * waits here, so what `fn` reads stays true until it commits. Rejects with nonexistent if the
   * account is gone.
   */
  writeAccount<T>(accountId: AccountId, fn: (tx: WriteTx, account: AccountRow) => Promise<T>): Promise<T> {
    return this.write(async (tx) => {
      const account = await tx.one<AccountRow>("SELECT * FROM accounts WHERE id = $1 FOR UPDATE", [
        accountId,
      ]);
      if (!account) throw new MailError("nonexistent", `No such account (${accountId})`);
      return fn(tx, account);
    });
  }

  /** Several reads that must agree with each other: one REPEATABLE READ snapshot. */
  read<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.#transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", fn);
  }

  /** `beforeCommit` returns statements sent in front of COMMIT, in the same round trip. */
  async #transaction<T>(
    begin: string,
    fn: (sql: Sql) => Promise<T>,
    beforeCommit: () => string = () => "",
  ): Promise<T> {
    const client = await this.pool.connect().catch(rethrowPg);
    let broken = false;
    // pg-pool listens for errors only on idle clients: a connection lost while checked out, between two
    // queries, would be an unhandled 'error' event and end the process (found by
    // test/faults/database-trouble). The next query then fails and the client is dropped.
    const onError = (): void => {
      broken = true;
    };
    client.on("error", onError);
    try {
      await client.query(begin);
      const result = await fn(sqlOn(client));
      await client.query(`${beforeCommit()}COMMIT`);
      return result;
    } catch (error) {
      const mapped = pgErrorOf(error);
      // On a lost connection a ROLLBACK would wait forever (found by test/faults/database-trouble): the
      // server rolled back already; the client is dropped from the pool instead.
      if (mapped instanceof MailError && mapped.code === "unavailable") broken = true;
      else {
        await client.query("ROLLBACK").catch(() => {
          broken = true;
        });
      }
      throw mapped;
    } finally {
      client.off("error", onError);
      client.release(broken);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

// POP3 maildrop locks across nodes (contract in mail-store.ts, MaildropLocks): a session-level
// `pg_try_advisory_lock` on one dedicated connection per node. PostgreSQL releases a session's advisory
// locks when its connection ends, so a killed or crashed node's locks go with it (a crashed machine's
// connection once TCP keepalive gives up on it). In-process locks in front, because one PostgreSQL
// session may take the same advisory lock more than once.
import { createHash } from "node:crypto";
import pg from "pg";
import type { AccountId } from "../../kit/ids.js";
import type { Logger } from "../../kit/logger.js";
import { InProcessMaildropLocks } from "../in-process-maildrop-locks.js";
import type { MaildropLockHandle, MaildropLocks } from "../mail-store.js";
import { clientConfig, type PgConnectionOptions } from "./pg-database.js";

/** Probes of a silent peer start after this long; a dead machine's locks free once they fail. */
const KEEPALIVE_INITIAL_DELAY_MS = 10_000;

/** The advisory lock key of one account's maildrop in one schema: 64 bits of a SHA-256, as int8 text. */
function lockKey(schema: string, accountId: AccountId): string {
  const digest = createHash("sha256").update(`postfach maildrop\0${schema}\0${accountId}`).digest();
  return digest.readBigInt64BE(0).toString();
}

interface LockConnection {
  readonly client: pg.Client;
  /** The schema the store's tables are in: stores in different schemas of one database lock apart. */
  readonly schema: string;
  /** Runs one lock statement after the ones before it (pg deprecates overlapping queries on one client). */
  query(text: string, key: string): Promise<boolean>;
}

export class PgMaildropLocks implements MaildropLocks {
  readonly #options: PgConnectionOptions;
  readonly #log: Logger;
  readonly #local = new InProcessMaildropLocks();
  #connection: Promise<LockConnection> | undefined;
  #isClosed = false;

  constructor(options: PgConnectionOptions, log: Logger) {
    this.#options = options;
    this.#log = log;
  }

  async tryAcquire(accountId: AccountId, owner: string): Promise<MaildropLockHandle | null> {
    const local = this.#local.tryAcquireNow(accountId, owner);
    if (local === null) return null;
    try {
      const connection = this.#connect();
      const lock = await connection;
      const key = lockKey(lock.schema, accountId);
      if (!(await lock.query("SELECT pg_try_advisory_lock($1::int8) AS done", key))) {
        local.release();
        return null;
      }
      let isHeld = true;
      return {
        owner,
        release: () => {
          if (!isHeld) return;
          isHeld = false;
          // Lock statements run in order, so a tryAcquire right after this release (same node) runs
          // after the unlock and succeeds.
          if (this.#connection === connection) {
            lock.query("SELECT pg_advisory_unlock($1::int8) AS done", key).catch((error: unknown) => {
              this.#log.warn({ err: error }, "could not release a POP3 maildrop lock");
            });
          }
          local.release();
        },
      };
    } catch (error) {
      local.release();
      throw error;
    }
  }

  /** The lock connection, opened on first use and again after it was lost. */
  #connect(): Promise<LockConnection> {
    if (this.#isClosed) return Promise.reject(new Error("store closed"));
    if (this.#connection) return this.#connection;
    const connection: Promise<LockConnection> = this.#open(() => {
      if (this.#connection !== connection) return false;
      this.#connection = undefined;
      return true;
    });
    this.#connection = connection;
    connection.catch(() => {
      if (this.#connection === connection) this.#connection = undefined;
    });
    return connection;
  }

  /** `forget` drops the connection from use and says whether it was still the current one. */
  async #open(forget: () => boolean): Promise<LockConnection> {
    const client = new pg.Client({
      ...clientConfig(this.#options),
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
    });
    const lost = (error?: Error) => {
      if (!forget()) return;
      client.end().catch(() => {});
      if (this.#isClosed) return;
      // Sessions that held locks keep their maildrops; other nodes may now lock them too. Rare (a broken
      // database connection), and logged so that an operator can tell.
      this.#log.warn({ err: error, held: this.#local.size }, "PostgreSQL maildrop lock connection lost");
    };
    client.on("error", lost);
    client.on("end", lost);
    await client.connect();
    const result = await client.query<{ schema: string }>("SELECT current_schema() AS schema");
    let last: Promise<unknown> = Promise.resolve();
    return {
      client,
      schema: result.rows[0]?.schema ?? "public",
      query(text, key) {
        const next = last.then(
          async () => (await client.query<{ done: boolean }>(text, [key])).rows[0]?.done === true,
        );
        last = next.catch(() => {});
        return next;
      },
    };
  }

  async close(): Promise<void> {
    this.#isClosed = true;
    const connection = this.#connection;
    this.#connection = undefined;
    if (!connection) return;
    const { client } = await connection.catch(() => ({ client: undefined }));
    await client?.end().catch(() => {});
  }
}

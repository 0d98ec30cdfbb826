// The scale-out MailStore: everything (accounts, mailboxes, messages, change log, message bodies) in one
// PostgreSQL database, so any number of stateless nodes can serve the same accounts (docs/scale-out.md).
// Opening applies pending migrations under an advisory lock and starts the LISTEN connection that
// brings other nodes' changes. Only src/main.ts picks it (store = "postgres://…").

import { type Logger, silentLogger } from "../../kit/logger.js";
import type { MailStore } from "../mail-store.js";
import { PgAccounts } from "./pg-accounts.js";
import { PgAcl } from "./pg-acl.js";
import { PgBlobStore } from "./pg-blob-store.js";
import { PgChangeLog } from "./pg-change-log.js";
import { PgCredentials } from "./pg-credentials.js";
import { type PgConnectionOptions, PgDatabase } from "./pg-database.js";
import { PgDkimKeys } from "./pg-dkim-keys.js";
import { PgDomains } from "./pg-domains.js";
import { PgJmapObjects } from "./pg-jmap-objects.js";
import { PgLeases } from "./pg-leases.js";
import { PgMailboxes } from "./pg-mailboxes.js";
import { PgMaildropLocks } from "./pg-maildrop-locks.js";
import { PgMessages } from "./pg-messages.js";
import { PgMetadata } from "./pg-metadata.js";
import { type MigrationReport, migratePostgres } from "./pg-migrate.js";
import { PgNotifier } from "./pg-notifier.js";
import { PgOutboundQueue } from "./pg-outbound-queue.js";
import { PgSieve } from "./pg-sieve.js";
import { PgUploads } from "./pg-uploads.js";
import { PgUrlAuthKeys } from "./pg-urlauth-keys.js";

export interface PostgresStoreOptions extends PgConnectionOptions {
  /** Pooled connections of this node (besides the LISTEN connection); default 10. */
  readonly maxConnections?: number;
  /** Where lost and re-established connections are reported; default silent. */
  readonly log?: Logger;
}

const DEFAULT_MAX_CONNECTIONS = 10;

export async function openPostgresStore(options: PostgresStoreOptions): Promise<MailStore> {
  await migratePostgres(options);
  const log = (options.log ?? silentLogger).child({ store: "postgres" });
  let database: PgDatabase | undefined;
  const notifier = new PgNotifier(
    options,
    (channel, payload) => {
      if (!database) return Promise.resolve();
      return database.run("SELECT pg_notify($1, $2)", [channel, payload]);
    },
    log,
  );
  await notifier.start();
  const sql = new PgDatabase(
    { ...options, maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS },
    {
      notification: (event) => notifier.notification(event),
      committed: (event) => notifier.deliverLocally(event),
    },
    log,
  );
  database = sql;
  const maildropLocks = new PgMaildropLocks(options, log);
  const blobs = new PgBlobStore(sql);
  return {
    accounts: new PgAccounts(sql),
    credentials: new PgCredentials(sql),
    mailboxes: new PgMailboxes(sql),
    acl: new PgAcl(sql),
    messages: new PgMessages(sql, blobs),
    changes: new PgChangeLog(sql),
    domains: new PgDomains(sql),
    dkimKeys: new PgDkimKeys(sql),
    urlAuthKeys: new PgUrlAuthKeys(sql),
    metadata: new PgMetadata(sql),
    uploads: new PgUploads(sql),
    jmapObjects: new PgJmapObjects(sql),
    outbound: new PgOutboundQueue(sql),
    sieve: new PgSieve(sql),
    blobs,
    notifier,
    maildropLocks,
    leases: new PgLeases(sql),
    close: async () => {
      await maildropLocks.close();
      await notifier.close();
      await sql.close();
    },
  };
}

/** `postfach migrate`: applies pending migrations and reports the schema version before and after. */
export function migratePostgresStore(options: PgConnectionOptions): Promise<MigrationReport> {
  return migratePostgres(options);
}

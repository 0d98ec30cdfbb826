// The embedded MailStore: SQLite (WAL, synchronous=FULL) at <dataDir>/postfach.db and message bodies
// in a content-addressed file tree at <dataDir>/blobs, small delivered ones in the database
// (sqlite-blob-store.ts). The default backend; only src/main.ts picks it.

import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type Logger, silentLogger } from "../../kit/logger.js";
import { FileBlobStore } from "../blob/file-blob-store.js";
import { InProcessMaildropLocks } from "../in-process-maildrop-locks.js";
import type { ChangeNotifier, MailStore } from "../mail-store.js";
import { InProcessNotifier } from "../notifier/in-process-notifier.js";
import { backfillHeaderIndex } from "./header-backfill.js";
import { snapshotBeforeMigration } from "./schema-snapshots.js";
import { SqliteAccounts } from "./sqlite-accounts.js";
import { SqliteAcl } from "./sqlite-acl.js";
import { SqliteBlobStore } from "./sqlite-blob-store.js";
import { SqliteChangeLog } from "./sqlite-change-log.js";
import { SqliteCredentials } from "./sqlite-credentials.js";
import { type SearchIndexing, SqliteDatabase } from "./sqlite-database.js";
import { SqliteDkimKeys } from "./sqlite-dkim-keys.js";
import { SqliteDomains } from "./sqlite-domains.js";
import { SqliteJmapObjects } from "./sqlite-jmap-objects.js";
import { SqliteLeases } from "./sqlite-leases.js";
import { SqliteMailboxes } from "./sqlite-mailboxes.js";
import { SqliteMessages } from "./sqlite-messages.js";
import { SqliteMetadata } from "./sqlite-metadata.js";
import { SqliteOutboundQueue } from "./sqlite-outbound-queue.js";
import { SqliteSieve } from "./sqlite-sieve.js";
import { SqliteUploads } from "./sqlite-uploads.js";
import { SqliteUrlAuthKeys } from "./sqlite-urlauth-keys.js";

export interface SqliteStoreOptions {
  readonly dataDir: string;
  /** Defaults to a new in-process notifier. */
  readonly notifier?: ChangeNotifier;
  /** Reports work done at open (the header index backfill); defaults to silence. */
  readonly log?: Logger;
  /** Where new search rows are indexed (sqlite-database.ts); "worker" unless a test asks otherwise. */
  readonly searchIndexing?: SearchIndexing;
}

export async function openSqliteStore(options: SqliteStoreOptions): Promise<MailStore> {
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const notifier = options.notifier ?? new InProcessNotifier();
  const files = await FileBlobStore.open(join(options.dataDir, "blobs"));
  await snapshotBeforeMigration(options.dataDir, options.log ?? silentLogger);
  const sql = new SqliteDatabase(join(options.dataDir, "postfach.db"), notifier, options.searchIndexing);
  const blobs = new SqliteBlobStore(sql, files);
  try {
    await backfillHeaderIndex(sql, blobs, options.log ?? silentLogger);
  } catch (error) {
    await sql.close();
    throw error;
  }
  return {
    accounts: new SqliteAccounts(sql),
    credentials: new SqliteCredentials(sql),
    mailboxes: new SqliteMailboxes(sql),
    acl: new SqliteAcl(sql),
    messages: new SqliteMessages(sql, blobs),
    changes: new SqliteChangeLog(sql),
    domains: new SqliteDomains(sql),
    dkimKeys: new SqliteDkimKeys(sql),
    urlAuthKeys: new SqliteUrlAuthKeys(sql),
    metadata: new SqliteMetadata(sql),
    uploads: new SqliteUploads(sql),
    jmapObjects: new SqliteJmapObjects(sql),
    outbound: new SqliteOutboundQueue(sql),
    sieve: new SqliteSieve(sql),
    blobs,
    notifier,
    maildropLocks: new InProcessMaildropLocks(),
    leases: new SqliteLeases(sql),
    close: async () => sql.close(),
  };
}

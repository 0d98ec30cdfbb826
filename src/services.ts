// The services above the store, wired once: config → store backend → the mail layer (and the store's
// migrate, rollback, backup and restore). With main.ts the composition root, and the only module that
// picks a store backend; the CLI opens these for every command that needs a store without loading the
// protocol servers, which main.ts adds for `postfach serve`.
import { UserAdmin } from "./admin/user-admin.js";
import { Authenticator } from "./auth/authenticator.js";
import { JwtVerifier } from "./auth/jwt-verifier.js";
import { LoginLimiter } from "./auth/login-limiter.js";
import { SessionRegistry } from "./auth/session-registry.js";
import type { Config } from "./config/config.js";
import { recordDeliveryStatus } from "./jmap/email-submission.js";
import { type Logger, silentLogger } from "./kit/logger.js";
import { MailError } from "./kit/mail-error.js";
import { MailboxAccess } from "./mail/access/mailbox-access.js";
import { DeliveryService } from "./mail/delivery-service.js";
import { DkimSigner } from "./mail/dkim/dkim-signer.js";
import { MailboxService } from "./mail/mailbox-service.js";
import { MessageService } from "./mail/message-service.js";
import { MetadataService } from "./mail/metadata/metadata-service.js";
import { GeneratedMailSender } from "./mail/sieve/generated-mail-sender.js";
import { SieveDelivery } from "./mail/sieve/sieve-delivery.js";
import { SieveScriptService } from "./mail/sieve/sieve-scripts.js";
import { SubmissionService } from "./mail/submission-service.js";
import { UrlAuthService } from "./mail/urlauth/urlauth-service.js";
import { SnapshotCache } from "./mail/view/snapshot-cache.js";
import { createDnsResolver, type DnsResolver } from "./net/dns-resolver.js";
import { parseListenAddress } from "./net/listen-address.js";
import { OutboundSender } from "./outbound/outbound-sender.js";
import { parseRetrySchedule } from "./outbound/retry-schedule.js";
import type { SmtpTarget } from "./outbound/smtp-client.js";
import type { MailStore } from "./store/mail-store.js";
import { migratePostgresStore, openPostgresStore } from "./store/postgres/postgres-store.js";
import { MIGRATIONS as SQLITE_MIGRATIONS } from "./store/sqlite/schema.js";
import { type RollbackReport, rollbackToSnapshot } from "./store/sqlite/schema-snapshots.js";
import {
  type BackupReport,
  backupSqliteStore,
  type RestoreReport,
  restoreSqliteStore,
} from "./store/sqlite/sqlite-backup.js";
import { openSqliteStore } from "./store/sqlite/sqlite-store.js";

export { type StoreVerification, verifyStore } from "./store/store-verification.js";

/** Everything above the store, wired once. Protocols and the CLI receive what they need from here. */
export interface Services {
  readonly config: Config;
  readonly store: MailStore;
  readonly mailboxes: MailboxService;
  /** Who may do what on which mailbox (RFC 4314 ACLs, shared mailboxes). */
  readonly access: MailboxAccess;
  readonly messages: MessageService;
  /** Mailbox and server annotations (RFC 5464), with the [imap] metadata_* limits. */
  readonly metadata: MetadataService;
  readonly users: UserAdmin;
  readonly authenticator: Authenticator;
  /** Authenticated IMAP/POP3 sessions per account ([limits] max_sessions_per_account). */
  readonly sessions: SessionRegistry;
  readonly delivery: DeliveryService;
  /** Each account's Sieve scripts (ManageSieve, `postfach sieve`), with the [sieve] limits. */
  readonly sieveScripts: SieveScriptService;
  /** Recently opened mailboxes' entries, kept current from the change log (SELECT, POP3 maildrops). */
  readonly snapshots: SnapshotCache;
  /** The [dns] resolver: MX lookups of outbound mail, SPF/DKIM/DMARC checks of inbound mail. */
  readonly dns: DnsResolver;
  /** DKIM-signs outbound mail with the From: domain's key (`postfach domain dkim`); the outbound sender calls it. */
  readonly dkim: DkimSigner;
  /** Submission (SMTP and JMAP): local delivery, the outbound queue, the Sent copy. */
  readonly submission: SubmissionService;
  /** Drains the outbound queue; runServer starts and stops it (the CLI never sends). */
  readonly outbound: OutboundSender;
  /** IMAP URLAUTH (RFC 4467): URLs to stored messages for IMAP URLFETCH and submission's BURL. */
  readonly urlAuth: UrlAuthService;
  close(): Promise<void>;
}

export class UnsupportedStoreError extends Error {
  override readonly name = "UnsupportedStoreError";
}

/** Whether the store setting names PostgreSQL (otherwise the embedded store in the data folder). */
export const isPostgresUrl = (store: string): boolean => /^postgres(ql)?:\/\//.test(store);

async function openStore(config: Config, log: Logger): Promise<MailStore> {
  if (config.store === "sqlite") return openSqliteStore({ dataDir: config.dataDir, log });
  if (isPostgresUrl(config.store))
    return openPostgresStore({ url: config.store, maxConnections: config.postgres.poolSize, log });
  throw new UnsupportedStoreError(`store = "${config.store}" is neither "sqlite" nor a postgres:// URL`);
}

/** The store setting as logs may show it: a postgres:// URL without its password. */
function _storeForLog(store: string): string {
  if (!isPostgresUrl(store) || !URL.canParse(store)) return store;
  const url = new URL(store);
  if (url.password) url.password = "***";
  return url.toString();
}

/** The store setting as logs may show it: a postgres:// URL without its password. */
export function storeForLog(store: string): string {
  if (!isPostgresUrl(store) || !URL.canParse(store)) return store;
  const url = new URL(store);
  if (url.password) url.password = "***";
  return url.toString();
}

/** What `postfach migrate` reports: the backend, its schema version now, and how many migrations ran. */
export interface StoreMigration {
  readonly backend: "sqlite" | "postgres";
  readonly version: number;
  /** Migrations applied by this run; null when the backend does not tell (SQLite migrates on open). */
  readonly applied: number | null;
}

/** Applies the store's pending schema migrations (both backends also do this when they open). */
export async function migrateStore(config: Config): Promise<StoreMigration> {
  if (isPostgresUrl(config.store)) {
    const report = await migratePostgresStore({ url: config.store });
    return { backend: "postgres", version: report.to, applied: report.to - report.from };
  }
  const store = await openStore(config, silentLogger);
  await store.close();
  return { backend: "sqlite", version: SQLITE_MIGRATIONS.length, applied: null };
}

/** Why `postfach migrate --rollback` refuses the PostgreSQL store, and what to do instead. */
const POSTGRES_ROLLBACK_POINTER =
  'The PostgreSQL store takes no automatic snapshot: take one with pg_dump -Fc before upgrading, and to roll back restore it with pg_restore into an empty database; see docs/operations.md "Upgrades and rollback"';

/** Puts back the schema snapshot the last upgrade took (`postfach migrate --rollback`; server stopped). */
export async function rollbackStore(config: Config): Promise<RollbackReport> {
  if (isPostgresUrl(config.store)) throw new MailError("cannot", POSTGRES_ROLLBACK_POINTER);
  return rollbackToSnapshot(config.dataDir);
}

/** Why `postfach backup` and `restore` refuse the PostgreSQL store, and what to use (docs/operations.md). */
const POSTGRES_BACKUP_POINTER =
  'The PostgreSQL store (messages included) is backed up with PostgreSQL\'s own tools: pg_dump for a logical copy, pgBackRest (or pg_basebackup with WAL archiving) for point-in-time recovery; see docs/operations.md "Backup and restore"';

/** A consistent backup of the embedded store while it may be running (`postfach backup`). */
export async function backupStore(config: Config, archive: string): Promise<BackupReport> {
  if (isPostgresUrl(config.store)) throw new MailError("cannot", POSTGRES_BACKUP_POINTER);
  return backupSqliteStore(config.dataDir, archive);
}

/** Restores a `postfach backup` archive into the configured, empty data folder (`postfach restore`). */
export async function restoreStore(config: Config, archive: string): Promise<RestoreReport> {
  if (isPostgresUrl(config.store)) throw new MailError("cannot", POSTGRES_BACKUP_POINTER);
  return restoreSqliteStore(archive, config.dataDir);
}

export async function openServices(config: Config, log: Logger = silentLogger): Promise<Services> {
  const store = await openStore(config, log);
  const mailboxes = new MailboxService(store);
  const messages = new MessageService(store, { maxMessageBytes: config.limits.maxMessageBytes });
  const metadata = new MetadataService(store, {
    maxEntryBytes: config.imap.metadataMaxEntryBytes,
    maxEntriesPerMailbox: config.imap.metadataMaxEntries,
    maxAccountBytes: config.imap.metadataMaxAccountBytes,
    allowPrivate: config.imap.metadataPrivate,
    adminUri: config.imap.metadataAdmin === "" ? null : config.imap.metadataAdmin,
  });
  const quota = {
    storageBytes: config.accounts.defaultQuotaBytes > 0 ? config.accounts.defaultQuotaBytes : null,
    messages: config.accounts.defaultQuotaMessages > 0 ? config.accounts.defaultQuotaMessages : null,
  };
  const { auth } = config;
  const scryptCost = { ln: auth.scryptLog2Cost, r: 8, p: 1 };
  const users = new UserAdmin(store, mailboxes, {
    defaultQuota: quota,
    createSpecialUseFolders: config.accounts.specialUseFolders,
    scryptCost,
  });
  const authenticator = new Authenticator(store, {
    limiter: new LoginLimiter(auth),
    log: log.child({ proto: "auth" }),
    scramIterations: auth.scramIterations,
    loginCacheMs: auth.loginCacheSeconds * 1000,
    scryptCost,
    bearer: auth.oauthbearer
      ? new JwtVerifier({
          issuer: auth.oauthbearerIssuer,
          audience: auth.oauthbearerAudience,
          jwksPath: auth.oauthbearerJwksFile,
          usernameClaim: auth.oauthbearerUsernameClaim,
        })
      : null,
  });
  // Sieve's replies and redirects are submitted like a user's mail; the submission service is made below.
  const sieveSender = new GeneratedMailSender(
    store.accounts,
    () => submission,
    config.hostname,
    log.child({ proto: "sieve" }),
  );
  const sieveDelivery = new SieveDelivery(
    store,
    sieveSender,
    {
      hostname: config.hostname,
      maxRedirects: config.sieve.maxRedirects,
      vacationResponseDays: config.sieve.vacationResponseDays,
      subaddressSeparator: config.delivery.recipientDelimiter,
    },
    log.child({ proto: "sieve" }),
  );
  const delivery: DeliveryService = new DeliveryService(
    store,
    { hostname: config.hostname, ...config.delivery },
    log,
    undefined,
    sieveDelivery,
  );
  const sessions = new SessionRegistry(config.limits.maxSessionsPerAccount);
  const dns = createDnsResolver(config.dns);
  const dkim = new DkimSigner(store.dkimKeys, log.child({ proto: "dkim" }));
  const outbound = new OutboundSender(
    store,
    dns,
    delivery,
    outboundSenderOptions(config),
    log.child({ proto: "outbound" }),
    async ({ record, isDelivered, reply }) => {
      if (record.accountId === null || record.submissionId === null) return;
      await recordDeliveryStatus(
        store,
        record.accountId,
        record.submissionId,
        record.recipient,
        isDelivered,
        reply,
      );
    },
  );
  const submission: SubmissionService = new SubmissionService(
    store,
    delivery,
    messages,
    // Signed once at enqueue with the From: domain's DKIM key, so every retry sends the same bytes.
    { hostname: config.hostname, signer: dkim, onQueued: () => outbound.wake() },
    log.child({ proto: "submission" }),
  );
  return {
    config,
    store,
    mailboxes,
    access: new MailboxAccess(store),
    messages,
    metadata,
    users,
    authenticator,
    sessions,
    delivery,
    sieveScripts: new SieveScriptService(store.sieve, config.sieve),
    snapshots: new SnapshotCache(store),
    dns,
    dkim,
    urlAuth: new UrlAuthService(store, messages),
    submission,
    outbound,
    close: async () => {
      await outbound.stop();
      // The delivery indexer's worker threads would otherwise keep the process alive after a stop.
      await delivery.close();
      await store.close();
    },
  };
}

/** [outbound] as the sender takes it: the smarthost as a target, seconds as milliseconds. */
function outboundSenderOptions(config: Config): ConstructorParameters<typeof OutboundSender>[3] {
  const { outbound } = config;
  let smarthost: SmtpTarget | null = null;
  if (outbound.smarthost !== "") {
    const { host, port } = parseListenAddress(outbound.smarthost);
    smarthost = {
      host,
      port,
      servername: host,
      tls:
        outbound.smarthostTls === "tls"
          ? "implicit"
          : outbound.smarthostTls === "starttls"
            ? "required"
            : "none",
      verifyTls: outbound.smarthostVerifyTls,
      auth:
        outbound.smarthostUser === ""
          ? null
          : { user: outbound.smarthostUser, pass: outbound.smarthostPassword },
    };
  }
  return {
    hostname: config.hostname,
    smarthost,
    mxPort: outbound.mxPort,
    retryScheduleMs: parseRetrySchedule(outbound.retrySchedule),
    queueLifetimeMs: outbound.queueLifetimeSeconds * 1000,
    pollIntervalMs: outbound.pollIntervalMs,
    timeoutMs: outbound.timeoutMs,
    concurrency: outbound.concurrency,
  };
}

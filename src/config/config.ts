// The typed, deeply read-only configuration every part of Postfach receives, and its defaults.
// TOML keys are snake_case (docs/configuration.md); the fields here are their camelCase twins.
import { availableParallelism, hostname as osHostname } from "node:os";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ["auto", "json", "pretty"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
/** Mirrors auth/plaintext-policy.ts (config may import only kit). */
export const PLAINTEXT_AUTH_POLICIES = ["tls_or_loopback", "tls_only", "always"] as const;
export type PlaintextAuthPolicy = (typeof PLAINTEXT_AUTH_POLICIES)[number];
export const TLS_MIN_VERSIONS = ["TLSv1.2", "TLSv1.3"] as const;
export type TlsMinVersion = (typeof TLS_MIN_VERSIONS)[number];

export interface LogConfig {
  readonly level: LogLevel;
  /** `auto` means pretty when stdout is a terminal, JSON otherwise. */
  readonly format: LogFormat;
}

export interface TlsConfig {
  /** PEM certificate chain path; empty together with `key` means "generate a self-signed one". */
  readonly cert: string;
  readonly key: string;
  readonly minVersion: TlsMinVersion;
  /** [[tls.sni]]: one certificate per server name (exact or "*.domain"); paths absolute after loading. */
  readonly sni: readonly SniCertificateConfig[];
}

export interface SniCertificateConfig {
  readonly name: string;
  readonly cert: string;
  readonly key: string;
}

/** [proxy]: PROXY protocol (v1/v2) from load balancers; see docs/security.md. */
export interface ProxyConfig {
  /** CIDR blocks the header is accepted from; other peers of a proxied listener are closed. */
  readonly trusted: readonly string[];
  readonly headerTimeoutMs: number;
  /** Listeners (plain and implicit TLS) of these protocols expect the header. */
  readonly imap: boolean;
  readonly pop3: boolean;
  readonly lmtp: boolean;
  readonly smtp: boolean;
}

/** [postgres]: settings of the PostgreSQL store (used only when `store` is a postgres:// URL). */
export interface PostgresConfig {
  /** Pooled connections per node, besides the LISTEN and maildrop-lock connections. */
  readonly poolSize: number;
}

/** Listen addresses are "host:port" or "[v6]:port" strings, already validated. */
export interface PlainListenConfig {
  readonly listen: readonly string[];
}

export interface TlsListenConfig extends PlainListenConfig {
  /** Implicit-TLS addresses (IMAPS 993, POP3S 995). */
  readonly tlsListen: readonly string[];
}

/** [smtp]: the MX listener (mail from other servers) and its checks (docs/dkim-and-auth.md). */
export interface SmtpConfig extends PlainListenConfig {
  /** Check SPF, DKIM and DMARC of arriving mail and add Authentication-Results (RFC 8601). */
  readonly checkAuthentication: boolean;
}

/** [pop3]: listeners plus the POP3 policy keys (docs/pop3.md). */
export interface ImapConfig extends TlsListenConfig {
  /** Accounts that may change quotas over IMAP with SETQUOTA (RFC 9208); none by default. */
  readonly quotaAdmins: readonly string[];
  /**
   * RFC 9738 MESSAGELIMIT and SAVELIMIT: the most messages one FETCH, STORE, SEARCH, COPY, MOVE, UID
   * EXPUNGE or APPEND handles, and the most UIDs SEARCH RETURN (SAVE) keeps; 0 turns the limit off.
   */
  readonly messageLimit: number;
  /** RFC 9738 SAVELIMIT when smaller than messageLimit (a cap on `$` of SEARCHRES); 0 = messageLimit. */
  readonly saveLimit: number;
  /** RFC 9585 INPROGRESS: least time between two progress responses of one long command. */
  readonly progressIntervalMs: number;
  /** zlib level (0-9) of COMPRESS=DEFLATE (RFC 4978) replies: the server's CPU against the link's bytes. */
  readonly compressLevel: number;
  /** Largest METADATA value (RFC 5464) in bytes; at most 64 KiB, the largest literal a command may carry. */
  readonly metadataMaxEntryBytes: number;
  /** METADATA entries per mailbox (and of the server), every user's private ones included. */
  readonly metadataMaxEntries: number;
  /** Bytes of all METADATA entries (names and values) of one account. */
  readonly metadataMaxAccountBytes: number;
  /** Whether users may set /private METADATA entries ([METADATA NOPRIVATE] otherwise). */
  readonly metadataPrivate: boolean;
  /** The server's read-only /shared/admin METADATA entry, a URI such as mailto:; "" for none. */
  readonly metadataAdmin: string;
}

/** [http]: JMAP's HTTP listeners and the request limits JMAP advertises (docs/jmap.md). */
export interface HttpConfig extends TlsListenConfig {
  /** Largest request body in bytes (JMAP maxSizeRequest); larger ones get 413 / `limit`. */
  readonly maxRequestBytes: number;
  /** Method calls one JMAP request may hold (maxCallsInRequest). */
  readonly maxCallsInRequest: number;
  /** Ids one /get may ask for (maxObjectsInGet). */
  readonly maxObjectsInGet: number;
  /** Creates, updates and destroys one /set may hold together (maxObjectsInSet). */
  readonly maxObjectsInSet: number;
  /** API requests one account may have running at once (maxConcurrentRequests). */
  readonly maxConcurrentRequests: number;
  /** A request (headers and body) must arrive within this; slower clients get 408. */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** How long a bearer token from POST /jmap/token stays valid. */
  readonly tokenLifetimeSeconds: number;
}

export interface Pop3Config extends TlsListenConfig {
  /** RFC 2449 EXPIRE advertised: "never" or a number of days. */
  readonly expireDays: string;
  /** RFC 2449 LOGIN-DELAY: minimum seconds between two logins of one account; 0 = off. */
  readonly loginDelaySeconds: number;
  /** RETR marks the message \Seen for IMAP clients. */
  readonly retrMarksSeen: boolean;
}

export interface LimitsConfig {
  readonly maxMessageBytes: number;
  readonly maxLineBytes: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerIp: number;
  /** Idle timeout after login (IMAP/POP3), and the base of SMTP/LMTP's own timeout. */
  readonly idleTimeoutMs: number;
  /** Idle timeout before login. */
  readonly loginIdleTimeoutMs: number;
  /** Slow-reader limits: unsent output a client may leave piling up, and how long one write may wait. */
  readonly maxUnsentBytes: number;
  /** Commands per second one connection may send on average; faster clients wait. 0 = no limit. */
  readonly maxCommandsPerSecond: number;
  readonly sendTimeoutMs: number;
  readonly shutdownGraceMs: number;
  /** Recipients one LMTP/SMTP transaction may name (RCPT TO beyond it: 452 4.5.3). */
  readonly maxRecipients: number;
  /** Authenticated IMAP and POP3 sessions one account may have open at once (auth/session-registry.ts). */
  readonly maxSessionsPerAccount: number;
}

export interface AccountsConfig {
  /** 0 means unlimited. */
  readonly defaultQuotaBytes: number;
  readonly defaultQuotaMessages: number;
  /** Create Drafts, Sent, Trash, Junk and Archive for new accounts. */
  readonly specialUseFolders: boolean;
}

/** Inbound delivery (LMTP/SMTP): how recipient addresses map to accounts (docs/delivery.md). */
export interface DeliveryConfig {
  /** Sub-address separator: `alice+tag@…` delivers to alice; "" turns sub-addressing off. */
  readonly recipientDelimiter: string;
  /** Deliver `alice+tag@…` into alice's folder `tag` when it exists (else INBOX). */
  readonly detailToFolder: boolean;
  /** Local parts must match in case (domains never do, RFC 5321 §2.4). */
  readonly localPartCaseSensitive: boolean;
  /** Over-quota is permanent (552 5.2.2) instead of temporary (452 4.2.2). */
  readonly quotaPermanent: boolean;
  /** Worker threads that index delivered messages beside the main thread; 0 indexes on the main thread. */
  readonly indexWorkers: number;
}

/** [blob_gc]: the running server's collection of unreferenced message bodies (mail/blob-collection.ts). */
export interface BlobGcConfig {
  /** Time between collections; 0 turns the schedule off. */
  readonly intervalMs: number;
  /**
   * Only bodies unreferenced and stored (or stored again) longer ago than this go, so a delivery or
   * APPEND that stored its body and has not committed yet keeps it; destroyed emails are purged after it.
   */
  readonly graceMs: number;
}

/** [dns]: the resolver of MX lookups and SPF/DKIM/DMARC checks (net/dns-resolver.ts). */
export interface DnsConfig {
  /** "ip", "ip:port" or "[v6]:port"; empty uses the system's resolvers (/etc/resolv.conf). */
  readonly servers: readonly string[];
  readonly timeoutMs: number;
  readonly tries: number;
}

/** [sieve]: script storage limits and automatic replies (docs/sieve.md). */
export interface SieveConfig {
  /** Largest script in UTF-8 octets (ManageSieve MAXSCRIPTSIZE, RFC 5804 §1.7). */
  readonly maxScriptBytes: number;
  /** Scripts one account may keep. */
  readonly maxScripts: number;
  /** Bytes of all of an account's scripts together. */
  readonly maxTotalBytes: number;
  /** Redirects one script run may make (MAXREDIRECTS). */
  readonly maxRedirects: number;
  /** A JMAP VacationResponse answers one sender at most once in this many days. */
  readonly vacationResponseDays: number;
}

/** [submission]: the RFC 6409 listeners (docs/submission.md). */
export interface SubmissionConfig extends TlsListenConfig {
  /** Keep a copy of each message submitted over SMTP in the sender's Sent folder (\Seen). */
  readonly saveToSent: boolean;
}

export const SMARTHOST_TLS_MODES = ["starttls", "tls", "none"] as const;
export type SmarthostTlsMode = (typeof SMARTHOST_TLS_MODES)[number];

/** [outbound]: how queued mail leaves (docs/submission.md "Outbound queue"). */
export interface OutboundConfig {
  /** "host:port" of a relay that takes all outbound mail; "" sends to each domain's MX. */
  readonly smarthost: string;
  /** starttls (required), tls (implicit, port 465) or none (trusted network only). */
  readonly smarthostTls: SmarthostTlsMode;
  /** AUTH PLAIN at the smarthost; "" for none. */
  readonly smarthostUser: string;
  readonly smarthostPassword: string;
  /** Verify the smarthost's certificate; MX delivery uses opportunistic STARTTLS (RFC 7435) unverified. */
  readonly smarthostVerifyTls: boolean;
  /** Port of MX hosts (25; tests use a loopback port). */
  readonly mxPort: number;
  /** Seconds between attempts, comma-separated; the last repeats (RFC 5321 §4.5.4.1). */
  readonly retrySchedule: string;
  /** After this long a message still not delivered is returned to its sender (RFC 5321 §4.5.4.1: 4–5 days). */
  readonly queueLifetimeSeconds: number;
  /** How often the sender looks for due recipients (new submissions wake it at once). */
  readonly pollIntervalMs: number;
  /** Connect, greeting and per-command timeout of one delivery attempt. */
  readonly timeoutMs: number;
  /** Deliveries in flight at once (one SMTP connection each). */
  readonly concurrency: number;
}

/** [auth]: brute-force limits (auth/login-limiter.ts), SCRAM cost and OAUTHBEARER (docs/security.md). */
export interface AuthConfig {
  /** When plaintext passwords (LOGIN, USER/PASS, AUTH PLAIN/LOGIN) are accepted. */
  readonly plaintextAuth: PlaintextAuthPolicy;
  /** Failures from one IP, or for one account from one IP, within the window that trigger a block. */
  readonly maxFailures: number;
  readonly failureWindowMs: number;
  readonly blockMs: number;
  /** Answer delay after the first failure; doubles per further failure up to `maxFailureDelayMs`. */
  readonly failureDelayMs: number;
  readonly maxFailureDelayMs: number;
  /**
   * log2 of scrypt's cost N for password hashes made from now on (and what older hashes are rehashed to
   * at login). 15 (32 MiB, ~50 ms) by default; lower only for benchmarks or very weak hardware.
   */
  readonly scryptLog2Cost: number;
  /** PBKDF2 iterations of SCRAM-SHA-256 keys computed from now on (RFC 7677: at least 4096). */
  readonly scramIterations: number;
  /** How long a verified password is remembered in memory, so repeated logins skip scrypt; 0 = never. */
  readonly loginCacheSeconds: number;
  /** Offer SASL OAUTHBEARER (RFC 7628); needs the issuer and the JWKS file. */
  readonly oauthbearer: boolean;
  readonly oauthbearerIssuer: string;
  /** Expected `aud` claim; "" accepts any. */
  readonly oauthbearerAudience: string;
  /** JSON Web Key Set of the issuer's signing keys (RS256/ES256), re-read when it changes. */
  readonly oauthbearerJwksFile: string;
  /** The token claim holding the account address. */
  readonly oauthbearerUsernameClaim: string;
}

/** The whole configuration; `loadConfig` returns it frozen, with absolute paths. */
export interface Config {
  readonly dataDir: string;
  /** "sqlite" or a postgres:// URL. */
  readonly store: string;
  readonly hostname: string;
  readonly postgres: PostgresConfig;
  readonly log: LogConfig;
  readonly tls: TlsConfig;
  readonly imap: ImapConfig;
  readonly pop3: Pop3Config;
  readonly lmtp: PlainListenConfig;
  readonly smtp: SmtpConfig;
  readonly submission: SubmissionConfig;
  readonly outbound: OutboundConfig;
  /** ManageSieve (RFC 5804) listeners, STARTTLS offered. */
  readonly managesieve: PlainListenConfig;
  readonly sieve: SieveConfig;
  readonly http: HttpConfig;
  readonly limits: LimitsConfig;
  readonly proxy: ProxyConfig;
  readonly accounts: AccountsConfig;
  readonly delivery: DeliveryConfig;
  readonly blobGc: BlobGcConfig;
  readonly dns: DnsConfig;
  readonly auth: AuthConfig;
  readonly admin: AdminConfig;
}

/**
 * [admin]: the admin HTTP API, /metrics, /healthz and /readyz on their own listener, off by default
 * (docs/operations.md "Admin HTTP API"). The API wants `Authorization: Bearer <token>`, the token given
 * inline or (better) in a file readable only by Postfach.
 */
export interface AdminConfig {
  readonly enabled: boolean;
  readonly listen: readonly string[];
  readonly token: string;
  /** Absolute after loading; "" for none. */
  readonly tokenFile: string;
}

/** The schema defaults, before any file or environment; paths are still relative here. */
export function defaultConfig(): Config {
  return deepFreeze({
    dataDir: "./data",
    store: "sqlite",
    hostname: osHostname(),
    postgres: { poolSize: 10 },
    log: { level: "info", format: "auto" },
    tls: { cert: "", key: "", minVersion: "TLSv1.2", sni: [] },
    imap: {
      listen: ["127.0.0.1:1143"],
      tlsListen: ["127.0.0.1:1993"],
      quotaAdmins: [],
      messageLimit: 1_000_000,
      saveLimit: 0,
      progressIntervalMs: 1000,
      // Level 3 costs less than half of zlib's default 6 on mail (168 against 384 ms of CPU for 14 MB of
      // the bench corpus, one flush per message) for a quarter more bytes (2.4 against 1.9 MB); level 1
      // saves little more CPU for half again as many bytes.
      compressLevel: 3,
      metadataMaxEntryBytes: 65_536,
      metadataMaxEntries: 100,
      metadataMaxAccountBytes: 1_048_576,
      metadataPrivate: true,
      metadataAdmin: "",
    },
    pop3: {
      listen: ["127.0.0.1:1110"],
      tlsListen: ["127.0.0.1:1995"],
      expireDays: "never",
      loginDelaySeconds: 0,
      retrMarksSeen: true,
    },
    lmtp: { listen: ["127.0.0.1:2424"] },
    smtp: { listen: ["127.0.0.1:2525"], checkAuthentication: true },
    submission: { listen: ["127.0.0.1:1587"], tlsListen: ["127.0.0.1:1465"], saveToSent: true },
    outbound: {
      smarthost: "",
      smarthostTls: "starttls",
      smarthostUser: "",
      smarthostPassword: "",
      smarthostVerifyTls: true,
      mxPort: 25,
      retrySchedule: "300,900,1800,3600,7200,14400",
      queueLifetimeSeconds: 432_000,
      pollIntervalMs: 5000,
      timeoutMs: 60_000,
      concurrency: 8,
    },
    managesieve: { listen: ["127.0.0.1:4190"] },
    sieve: {
      maxScriptBytes: 65_536,
      maxScripts: 16,
      maxTotalBytes: 262_144,
      maxRedirects: 4,
      vacationResponseDays: 7,
    },
    http: {
      listen: ["127.0.0.1:8080"],
      tlsListen: [],
      maxRequestBytes: 10_000_000,
      maxCallsInRequest: 64,
      maxObjectsInGet: 1000,
      maxObjectsInSet: 1000,
      maxConcurrentRequests: 8,
      requestTimeoutMs: 60_000,
      keepAliveTimeoutMs: 5000,
      tokenLifetimeSeconds: 86_400,
    },
    limits: {
      maxMessageBytes: 52_428_800,
      maxLineBytes: 65_536,
      maxConnections: 2000,
      maxConnectionsPerIp: 50,
      idleTimeoutMs: 1_800_000,
      loginIdleTimeoutMs: 60_000,
      maxUnsentBytes: 4_194_304,
      maxCommandsPerSecond: 5000,
      sendTimeoutMs: 60_000,
      shutdownGraceMs: 5000,
      maxRecipients: 100,
      maxSessionsPerAccount: 100,
    },
    proxy: { trusted: [], headerTimeoutMs: 5000, imap: false, pop3: false, lmtp: false, smtp: false },
    accounts: { defaultQuotaBytes: 0, defaultQuotaMessages: 0, specialUseFolders: true },
    admin: {
      enabled: false,
      listen: ["127.0.0.1:8081"],
      token: "",
      tokenFile: "",
    },
    auth: {
      plaintextAuth: "tls_or_loopback",
      scryptLog2Cost: 15,
      maxFailures: 10,
      failureWindowMs: 600_000,
      blockMs: 900_000,
      failureDelayMs: 250,
      maxFailureDelayMs: 5000,
      scramIterations: 10_000,
      loginCacheSeconds: 3600,
      oauthbearer: false,
      oauthbearerIssuer: "",
      oauthbearerAudience: "",
      oauthbearerJwksFile: "",
      oauthbearerUsernameClaim: "email",
    },
    dns: { servers: [], timeoutMs: 5000, tries: 2 },
    blobGc: { intervalMs: 3_600_000, graceMs: 3_600_000 },
    delivery: {
      recipientDelimiter: "+",
      detailToFolder: false,
      localPartCaseSensitive: false,
      quotaPermanent: false,
      // One core is the main thread's: the workers take what another one or two can give.
      indexWorkers: Math.max(0, Math.min(2, availableParallelism() - 1)),
    },
  });
}

/** Freezes an object graph of plain objects and arrays in place and returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

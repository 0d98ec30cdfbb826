// The composition root: the services (services.ts: config → store backend → the mail layer) and the
// listeners of every protocol over them, with the admin API, metrics and signals: `postfach serve`.

import { mkdir, readFile } from "node:fs/promises";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { type AdminServer, startAdminServer } from "./admin/api/admin-http-server.js";
import type { Config } from "./config/config.js";
import { createHttpListeners } from "./http/http-server.js";
import { createImapListeners } from "./imap/imap-server.js";
import type { Logger } from "./kit/logger.js";
import { MailError } from "./kit/mail-error.js";
import { metrics } from "./kit/metrics.js";
import { BlobCollector } from "./mail/blob-collection.js";
import { InboundAuthenticator } from "./mail/inbound-authentication.js";
import { preloadMailauth } from "./mail/mailauth-loader.js";
import { ownAddresses } from "./mail/own-addresses.js";
import { createManageSieveListeners } from "./managesieve/managesieve-server.js";
import { parseListenAddress } from "./net/listen-address.js";
import { type BoundListener, ListenerGroup, type ListenerSpec } from "./net/listener-group.js";
import { createLogger } from "./net/logging.js";
import { onReloadSignal } from "./net/reload-signal.js";
import { onShutdownSignals } from "./net/shutdown-signals.js";
import { loadTlsMaterial } from "./net/tls.js";
import { buildTlsContexts, TlsContextSet, type TlsContexts } from "./net/tls-contexts.js";
import { createPop3Listeners } from "./pop3/pop3-server.js";
import { isPostgresUrl, openServices, type Services, storeForLog } from "./services.js";
import { SUPPORTED_SIEVE_EXTENSIONS } from "./sieve/sieve.js";
import { createLmtpListeners } from "./smtp/lmtp-server.js";
import { createSmtpListeners } from "./smtp/smtp-server.js";
import { createSubmissionListeners } from "./smtp/submission-server.js";
import type { MailStore, OutboundQueueCount } from "./store/mail-store.js";
import { removeServerPidFile, writeServerPidFile } from "./store/sqlite/server-pid-file.js";
import { verifyStore } from "./store/store-verification.js";

/** A running server: `stopped` resolves after a graceful shutdown (signal or `stop()`). */
/** JMAP uploads one account may run at once (maxConcurrentUpload). */
const UPLOADS_PER_ACCOUNT = 4;
/** The webmail as `npm run build` leaves it: Vite writes web/ to dist/web, beside this file's dist/src. */
const WEB_ROOT = fileURLToPath(new URL("../web/", import.meta.url));

export interface RunningServer {
  readonly services: Services;
  readonly listeners: readonly BoundListener[];
  /** The admin listener's bound addresses ("127.0.0.1:8081"); empty when [admin] is off. */
  readonly adminAddresses: readonly string[];
  readonly stopped: Promise<void>;
  stop(): Promise<void>;
  /** Re-reads the TLS certificates (SIGHUP does this); new handshakes use them. Throws and keeps the old ones on error. */
  reloadTls(): Promise<void>;
}

/** The default certificate (configured or self-signed) and the [[tls.sni]] ones, read from disk now. */
async function loadTlsContexts(config: Config, log: Logger): Promise<TlsContexts> {
  const material = await loadTlsMaterial({
    certPath: config.tls.cert,
    keyPath: config.tls.key,
    dataDir: config.dataDir,
    hostname: config.hostname,
    log,
  });
  return buildTlsContexts(material, config.tls.sni, config.tls.minVersion);
}

/**
 * The listeners of every protocol this build serves, from config. Each protocol server module
 * contributes its specs here; plain listeners offer STARTTLS, `tlsListen` ones speak TLS at once.
 */
function protocolListeners(services: Services, log: Logger): ListenerSpec[] {
  const { config } = services;
  const mailServices = {
    store: services.store,
    mailboxes: services.mailboxes,
    messages: services.messages,
    authenticator: services.authenticator,
    sessions: services.sessions,
    snapshots: services.snapshots,
  };
  const inbound = {
    hostname: config.hostname,
    maxMessageBytes: config.limits.maxMessageBytes,
    maxRecipients: config.limits.maxRecipients,
    maxLineBytes: config.limits.maxLineBytes,
    idleTimeoutMs: config.limits.idleTimeoutMs,
    quotaPermanent: config.delivery.quotaPermanent,
  };
  return [
    ...createImapListeners(
      {
        ...mailServices,
        access: services.access,
        urlAuth: services.urlAuth,
        snapshots: services.snapshots,
        metadata: services.metadata,
        maxMessageBytes: config.limits.maxMessageBytes,
        plaintextAuth: config.auth.plaintextAuth,
        quotaAdmins: new Set(config.imap.quotaAdmins.map((address) => address.toLowerCase())),
        messageLimit: config.imap.messageLimit,
        saveLimit: effectiveSaveLimit(config.imap.messageLimit, config.imap.saveLimit),
        progressIntervalMs: config.imap.progressIntervalMs,
        compressLevel: config.imap.compressLevel,
      },
      {
        listen: config.imap.listen,
        tlsListen: config.imap.tlsListen,
        maxLineBytes: config.limits.maxLineBytes,
      },
      log,
    ),
    ...createPop3Listeners(mailServices, config, log),
    ...createLmtpListeners({ delivery: services.delivery }, { ...inbound, listen: config.lmtp.listen }, log),
    ...createSmtpListeners(
      {
        delivery: services.delivery,
        ...(config.smtp.checkAuthentication && {
          authenticator: new InboundAuthenticator({
            hostname: config.hostname,
            lookup: services.dns.resolve,
            log: log.child({ proto: "smtp" }),
          }),
        }),
      },
      { ...inbound, listen: config.smtp.listen },
      log,
    ),
    ...createManageSieveListeners(
      {
        authenticator: services.authenticator,
        sessions: services.sessions,
        scripts: services.sieveScripts,
      },
      {
        plaintextAuth: config.auth.plaintextAuth,
        maxLineBytes: config.limits.maxLineBytes,
        maxRedirects: config.sieve.maxRedirects,
        extensions: SUPPORTED_SIEVE_EXTENSIONS,
        maxAuthFailures: 3,
      },
      config.managesieve.listen,
      log,
    ),
    ...createSubmissionListeners(
      {
        delivery: services.delivery,
        submission: {
          authenticator: services.authenticator,
          plaintextAuth: config.auth.plaintextAuth,
          submitter: services.submission,
          ownAddresses: (account) => ownAddresses(services.store, account),
          saveToSent: config.submission.saveToSent,
          urlAuth: services.urlAuth,
        },
      },
      { ...inbound, listen: config.submission.listen, tlsListen: config.submission.tlsListen },
      log,
    ),
    ...createHttpListeners(
      {
        ...mailServices,
        snapshots: services.snapshots,
        delivery: services.delivery,
        submission: services.submission,
      },
      {
        listen: config.http.listen,
        tlsListen: config.http.tlsListen,
        plaintextAuth: config.auth.plaintextAuth,
        limits: {
          maxSizeRequest: config.http.maxRequestBytes,
          maxConcurrentRequests: config.http.maxConcurrentRequests,
          maxCallsInRequest: config.http.maxCallsInRequest,
          maxObjectsInGet: config.http.maxObjectsInGet,
          maxObjectsInSet: config.http.maxObjectsInSet,
          maxSizeUpload: config.limits.maxMessageBytes,
          maxConcurrentUpload: UPLOADS_PER_ACCOUNT,
          maxRecipientsPerSubmission: config.limits.maxRecipients,
        },
        requestTimeoutMs: config.http.requestTimeoutMs,
        keepAliveTimeoutMs: config.http.keepAliveTimeoutMs,
        tokenLifetimeMs: config.http.tokenLifetimeSeconds * 1000,
        webRoot: WEB_ROOT,
      },
      log,
    ),
  ];
}

export interface RunServerOptions {
  /** Install SIGTERM/SIGINT handlers (the CLI does; tests that embed the server do not). */
  readonly handleSignals?: boolean;
  /** Do not print the banner (tests). */
  readonly quiet?: boolean;
  /** Where log lines go instead of standard output (tests that read the audit lines). */
  readonly logDestination?: Writable;
}

export async function runServer(
  config: Config,
  options: RunServerOptions = { handleSignals: true },
): Promise<RunningServer> {
  const log = createLogger(config.log, options.logDestination);
  const tls = new TlsContextSet(await loadTlsContexts(config, log));
  const reloadTls = async (): Promise<void> => {
    try {
      tls.replace(await loadTlsContexts(config, log));
      log.info({ sniNames: config.tls.sni.map((entry) => entry.name) }, "TLS certificates reloaded");
    } catch (error) {
      log.error({ err: error }, "TLS reload failed; keeping the current certificates");
      throw error;
    }
  };
  // The pid file comes before the store opens (and migrates), so a rollback cannot run beside either.
  const usesDataDirStore = !isPostgresUrl(config.store);
  if (usesDataDirStore) {
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    await writeServerPidFile(config.dataDir);
  }
  const releasePidFile = async (): Promise<void> => {
    if (usesDataDirStore) await removeServerPidFile(config.dataDir);
  };
  const services = await openServices(config, log).catch(async (error: unknown) => {
    await releasePidFile();
    throw error;
  });
  const { limits, proxy } = config;
  const group = new ListenerGroup({
    log,
    tls,
    maxConnections: limits.maxConnections,
    maxConnectionsPerIp: limits.maxConnectionsPerIp,
    idleTimeoutMs: limits.loginIdleTimeoutMs,
    authenticatedIdleTimeoutMs: limits.idleTimeoutMs,
    maxUnsentBytes: limits.maxUnsentBytes,
    sendTimeoutMs: limits.sendTimeoutMs,
    maxCommandsPerSecond: limits.maxCommandsPerSecond,
    proxy: {
      trusted: proxy.trusted,
      protocols: (["imap", "pop3", "lmtp", "smtp"] as const).filter((proto) => proxy[proto]),
      headerTimeoutMs: proxy.headerTimeoutMs,
    },
  });
  for (const spec of protocolListeners(services, log)) group.add(spec);
  let listeners: BoundListener[];
  try {
    listeners = await group.listen();
  } catch (error) {
    await services.close();
    await releasePidFile();
    throw error;
  }
  services.outbound.start();

  const collector = new BlobCollector(services.store, { ...config.blobGc, log: log.child({ proto: "gc" }) });
  collector.start();

  let stopping: Promise<void> | undefined;
  let admin: AdminServer | null = null;
  try {
    admin = config.admin.enabled
      ? await startAdminListener(services, log, async () => stopping === undefined)
      : null;
  } catch (error) {
    await group.shutdown(0);
    await services.close();
    await releasePidFile();
    throw error;
  }
  let disposeSignals = () => {};
  let disposeReload = () => {};
  const stop = () => {
    stopping ??= (async () => {
      disposeSignals();
      disposeReload();
      log.info({}, "shutting down");
      await admin?.close();
      await group.shutdown(config.limits.shutdownGraceMs);
      await collector.stop();
      await services.close();
      await releasePidFile();
      log.info({}, "stopped");
    })();
    return stopping;
  };
  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });
  if (options.handleSignals) {
    disposeSignals = onShutdownSignals(() => stop().then(resolveStopped));
    disposeReload = onReloadSignal(reloadTls);
  }

  // A server run as its own process (`postfach serve`) loads mailauth now, in the background, so its
  // first inbound check or DKIM signature does not wait for it; servers embedded in tests load it on use.
  if (options.handleSignals) preloadMailauth();
  log.info(
    {
      dataDir: config.dataDir,
      store: storeForLog(config.store),
      listeners: listeners.map((l) => `${l.proto}${l.implicitTls ? "s" : ""} ${l.address}`),
    },
    "postfach started",
  );
  if (!options.quiet) printBanner(config, listeners);
  return {
    services,
    listeners,
    adminAddresses: admin?.addresses ?? [],
    stopped,
    stop: () => stop().then(resolveStopped),
    reloadTls,
  };
}

/** The OpenAPI document of the admin API, as the package ships it (docs/ beside dist/). */
const ADMIN_OPENAPI = fileURLToPath(new URL("../../docs/admin-api.json", import.meta.url));

/** Process gauges read at scrape time: memory and event-loop lag (a blocked loop delays every session). */
function registerProcessMetrics(): void {
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  metrics.gauge("postfach_process_memory_bytes", "Process memory by kind (rss, heapUsed, external)", () => {
    const usage = process.memoryUsage();
    return (["rss", "heapUsed", "external"] as const).map((kind) => ({
      labels: { kind },
      value: usage[kind],
    }));
  });
  metrics.gauge(
    "postfach_event_loop_lag_seconds",
    "Event loop delay since the last scrape (mean, p99, max)",
    () => {
      const values = [
        { labels: { stat: "mean" }, value: loopDelay.mean / 1e9 },
        { labels: { stat: "p99" }, value: loopDelay.percentile(99) / 1e9 },
        { labels: { stat: "max" }, value: loopDelay.max / 1e9 },
      ].map((v) => ({ ...v, value: Number.isFinite(v.value) ? v.value : 0 }));
      loopDelay.reset();
      return values;
    },
  );
}

/**
 * The outbound queue read from the store at each scrape (one count query; the queue is shared by every
 * node of a PostgreSQL store, so each reports the same): all queued recipients, and the deferred ones.
 */
function registerQueueMetrics(store: MailStore): void {
  // An unreachable database leaves the gauges out of the scrape instead of failing all of /metrics.
  const sample = async (kind: keyof OutboundQueueCount) => {
    const count = await store.outbound.count().catch(() => null);
    return count === null ? [] : [{ labels: {}, value: count[kind] }];
  };
  metrics.gauge("postfach_outbound_queue_recipients", "Recipients in the outbound queue", () =>
    sample("queued"),
  );
  metrics.gauge(
    "postfach_outbound_queue_deferred_recipients",
    "Recipients in the outbound queue after a temporary failure (attempts > 0), waiting for or in a retry",
    () => sample("deferred"),
  );
}

/** The [admin] listener: the admin API, /metrics, /healthz, /readyz (docs/operations.md "Admin HTTP API"). */
async function startAdminListener(
  services: Services,
  log: Logger,
  isRunning: () => Promise<boolean>,
): Promise<AdminServer> {
  const { admin } = services.config;
  const token = admin.tokenFile === "" ? admin.token : (await readFile(admin.tokenFile, "utf8")).trim();
  if (token.length < 16) {
    throw new MailError(
      "invalidInput",
      "The admin token must have at least 16 characters (admin.token or admin.token_file)",
    );
  }
  registerProcessMetrics();
  registerQueueMetrics(services.store);
  const server = await startAdminServer(
    {
      addresses: admin.listen.map(parseListenAddress),
      token,
      deps: { ...services, verifyStore: () => verifyStore(services.store) },
      openApiJson: await readFile(ADMIN_OPENAPI, "utf8"),
      metricsText: () => metrics.text(),
      // Ready: accepting connections (not shutting down) and the store answers a query.
      isReady: async () => {
        if (!(await isRunning())) return false;
        await services.store.domains.listDomains();
        return true;
      },
    },
    log.child({ proto: "admin" }),
  );
  log.info({ listen: server.addresses }, "admin API listening");
  return server;
}

/** What a newcomer needs after `npm start`: where it listens and how to add the first account. */
function printBanner(config: Config, listeners: readonly BoundListener[]): void {
  const lines = [
    "",
    `Postfach is running (data in ${config.dataDir}).`,
    ...(listeners.length === 0
      ? ["No protocol listeners are configured in this build yet."]
      : listeners.map((l) => `  ${(l.proto + (l.implicitTls ? " (TLS)" : "")).padEnd(12)} ${l.address}`)),
    "Add an account from another terminal:  npx postfach user add alice@example.test",
    "Stop with Ctrl-C.",
    "",
  ];
  process.stderr.write(`${lines.join("\n")}\n`);
}

/** RFC 9738: SAVELIMIT never exceeds MESSAGELIMIT; 0 in [imap] save_limit means "the same". */
function effectiveSaveLimit(messageLimit: number, saveLimit: number): number {
  if (saveLimit === 0) return messageLimit;
  return messageLimit === 0 ? saveLimit : Math.min(messageLimit, saveLimit);
}

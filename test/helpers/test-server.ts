// Starts a real Postfach server for a test: a fresh data folder, every listener on 127.0.0.1 port 0,
// silent logs; the embedded store, or with `store: "postgres"` the PostgreSQL test database in a fresh
// schema dropped at stop. Returns the bound ports, the services (to seed accounts) and a stop function.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { type Config, defaultConfig } from "../../src/config/config.js";
import { type RunningServer, runServer } from "../../src/main.js";
import {
  createTestSchema,
  dropTestSchema,
  testSchemaUrl,
} from "../../src/store/postgres/postgres-test-harness.js";
import { startDnsServer, type TestDnsServer } from "./dns-server.js";
import { TEST_SCRYPT_LOG2_COST } from "./test-auth.js";

export interface TestServer {
  readonly server: RunningServer;
  readonly dataDir: string;
  /** The PostgreSQL schema of a `store: "postgres"` server (dropped at stop); undefined for the embedded store. */
  readonly schema: string | undefined;
  /** The server's DNS ([dns] servers): empty until a test adds records (names then do not exist). */
  readonly dns: TestDnsServer;
  /** First bound port of a protocol listener, e.g. port("imap", false). */
  port(proto: string, implicitTls?: boolean): number;
  /** Creates an account with this password (and the default folders). */
  addUser(address: string, password?: string): Promise<void>;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  /** "postgres": a fresh schema of the test database (call within describeWithPostgres). */
  readonly store?: "sqlite" | "postgres";
  /** Receives the server's log lines (JSON, level info) instead of silence. */
  readonly log?: Writable;
}

export const TEST_PASSWORD = "correct-horse-battery";

export async function startTestServer(
  overrides: (config: Config) => Config = (c) => c,
  options: TestServerOptions = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "postfach-test-"));
  const dns = await startDnsServer();
  const schema = options.store === "postgres" ? await createTestSchema() : undefined;
  const base = defaultConfig();
  const loopback = ["127.0.0.1:0"];
  const config = overrides({
    ...base,
    dataDir,
    ...(schema === undefined ? {} : { store: testSchemaUrl(schema) }),
    hostname: "localhost",
    log: { level: options.log === undefined ? "silent" : "info", format: "json" },
    imap: { ...base.imap, listen: loopback, tlsListen: loopback },
    pop3: { ...base.pop3, listen: loopback, tlsListen: loopback },
    lmtp: { listen: loopback },
    smtp: { ...base.smtp, listen: loopback },
    // Lookups (SPF/DKIM/DMARC of SMTP mail, MX of outbound mail) go to a loopback DNS server: never the real DNS.
    dns: { servers: [dns.address], timeoutMs: 2000, tries: 1 },
    submission: { ...base.submission, listen: loopback, tlsListen: loopback },
    // Queued mail must never leave the machine: a refused loopback port unless a test sets its own route.
    outbound: { ...base.outbound, smarthost: "127.0.0.1:1", smarthostTls: "none", timeoutMs: 2000 },
    managesieve: { listen: loopback },
    http: { ...base.http, listen: loopback, tlsListen: loopback },
    limits: { ...base.limits, shutdownGraceMs: 500 },
    auth: { ...base.auth, scryptLog2Cost: TEST_SCRYPT_LOG2_COST },
  });
  const server = await runServer(config, {
    handleSignals: false,
    quiet: true,
    ...(options.log !== undefined && { logDestination: options.log }),
  }).catch(async (error) => {
    await dns.close();
    if (schema !== undefined) await dropTestSchema(schema);
    throw error;
  });
  return {
    server,
    dataDir,
    schema,
    dns,
    port(proto, implicitTls = false) {
      const listener = server.listeners.find((l) => l.proto === proto && l.implicitTls === implicitTls);
      if (!listener) throw new Error(`no ${proto} listener (implicitTls=${implicitTls})`);
      return listener.port;
    },
    async addUser(address, password = TEST_PASSWORD) {
      await server.services.users.add(address, password);
    },
    async stop() {
      await server.stop();
      await dns.close();
      await rm(dataDir, { recursive: true, force: true });
      if (schema !== undefined) await dropTestSchema(schema);
    },
  };
}

/**
 * A server on an existing data folder with IMAP alone on 127.0.0.1 port 0 (every other listener of every
 * section off, whatever protocols the config grows), for tests that build or restore a store first; with
 * `store`, a PostgreSQL store's URL, the mail is there instead of in the data folder.
 */
export function startImapOnlyServer(dataDir: string, store?: string): Promise<RunningServer> {
  return startOnlyServer(dataDir, "imap", store);
}

/** Like startImapOnlyServer, with the HTTP (JMAP) listener alone: a second server on a running one's data. */
export function startHttpOnlyServer(dataDir: string): Promise<RunningServer> {
  return startOnlyServer(dataDir, "http");
}

function startOnlyServer(dataDir: string, proto: "imap" | "http", store?: string): Promise<RunningServer> {
  const base = defaultConfig();
  const sections = Object.fromEntries(
    Object.entries(base).map(([key, value]) => {
      if (typeof value !== "object" || value === null || !("listen" in value)) return [key, value];
      const off = { ...value, listen: [] as string[] };
      return [key, "tlsListen" in value ? { ...off, tlsListen: [] as string[] } : off];
    }),
  ) as unknown as Config;
  return runServer(
    {
      ...sections,
      dataDir,
      ...(store === undefined ? {} : { store }),
      hostname: "localhost",
      log: { level: "silent", format: "json" },
      [proto]: { ...base[proto], listen: ["127.0.0.1:0"], tlsListen: [] },
      limits: { ...base.limits, shutdownGraceMs: 500 },
      // The cost of startTestServer: a login to a store it made is not rehashed at another cost.
      auth: { ...base.auth, scryptLog2Cost: TEST_SCRYPT_LOG2_COST },
    },
    { handleSignals: false, quiet: true },
  );
}

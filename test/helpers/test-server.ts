// Starts a real Postfach server for a test: a fresh data folder, every listener on 127.0.0.1 port 0,
// silent logs. Returns the bound ports, the services (to seed accounts) and a stop function.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Config, defaultConfig } from "../../src/config/config.js";
import { type RunningServer, runServer } from "../../src/main.js";

export interface TestServer {
  readonly server: RunningServer;
  readonly dataDir: string;
  /** First bound port of a protocol listener, e.g. port("imap", false). */
  port(proto: string, implicitTls?: boolean): number;
  /** Creates an account with this password (and the default folders). */
  addUser(address: string, password?: string): Promise<void>;
  stop(): Promise<void>;
}

export const TEST_PASSWORD = "correct-horse-battery";

export async function startTestServer(overrides: (config: Config) => Config = (c) => c): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "postfach-test-"));
  const base = defaultConfig();
  const loopback = ["127.0.0.1:0"];
  const config = overrides({
    ...base,
    dataDir,
    hostname: "localhost",
    log: { level: "silent", format: "json" },
    imap: { listen: loopback, tlsListen: loopback },
    pop3: { ...base.pop3, listen: loopback, tlsListen: loopback },
    lmtp: { listen: loopback },
    smtp: { listen: loopback },
    submission: { listen: loopback },
    http: { listen: loopback },
    limits: { ...base.limits, shutdownGraceMs: 500 },
  });
  const server = await runServer(config, { handleSignals: false, quiet: true });
  return {
    server,
    dataDir,
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
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

// Test support: a real POP3 server on 127.0.0.1 port 0 (plain with STLS, and implicit TLS) over a fresh
// data folder, with helpers to add accounts, deliver messages and talk raw POP3 over a LineClient.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserAdmin } from "../../src/admin/user-admin.js";
import { defaultConfig } from "../../src/config/config.js";
import type { AccountId } from "../../src/kit/ids.js";
import { silentLogger } from "../../src/kit/logger.js";
import { connectPlainClient, type LineClient } from "../../src/net/line-client.testkit.js";
import { ListenerGroup } from "../../src/net/listener-group.js";
import {
  createTlsContext,
  generateSelfSigned,
  loadTlsMaterial,
  type TlsMaterial,
} from "../../src/net/tls.js";
import { createPop3Server, type Pop3ServerDeps } from "../../src/pop3/pop3-server.js";
import { openServices, type Services } from "../../src/services.js";
import { InProcessMaildropLocks } from "../../src/store/in-process-maildrop-locks.js";
import type { AppendResult } from "../../src/store/mail-store.js";

let material: Promise<TlsMaterial> | undefined;
/** One self-signed certificate per test process (RSA key generation is slow). */
export const testTlsMaterial = (): Promise<TlsMaterial> => {
  material ??= generateSelfSigned("localhost");
  return material;
};

export interface Pop3TestServer {
  readonly services: Services;
  readonly dataDir: string;
  readonly plainPort: number;
  readonly tlsPort: number;
  readonly cert: string;
  readonly lock: InProcessMaildropLocks;
  addUser(address: string, password?: string): Promise<AccountId>;
  deliver(accountId: AccountId, message: string | Buffer): Promise<AppendResult>;
  /** Stops listeners and closes the store; `keepData` leaves the folder for a restart. */
  stop(keepData?: boolean): Promise<void>;
}

export interface Pop3TestOptions extends Omit<Pop3ServerDeps, "services" | "lock"> {
  /** Reuse a data folder (restart); a fresh temporary one otherwise. */
  readonly dataDir?: string;
  readonly idleTimeoutMs?: number;
  /** Keep the certificate in <dataDir>/tls/ and reuse it (server processes restarted on one folder). */
  readonly persistTls?: boolean;
}

export const PASSWORD = "correct horse battery";

export async function startPop3TestServer(options: Pop3TestOptions = {}): Promise<Pop3TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "postfach-pop3-")));
  // POP3's own per-connection defences are under test here; the shared brute-force limiter (which
  // would block this one test IP after ten failures) has its own tests, so it is relaxed.
  const defaults = defaultConfig();
  const services = await openServices({
    ...defaults,
    dataDir,
    auth: { ...defaults.auth, maxFailures: 1_000_000, failureDelayMs: 0, maxFailureDelayMs: 0 },
  });
  const tls = options.persistTls
    ? await loadTlsMaterial({ dataDir, hostname: "localhost", log: silentLogger })
    : await testTlsMaterial();
  const lock = new InProcessMaildropLocks();
  const server = createPop3Server({
    ...options,
    services,
    lock,
    settings: { authFailureDelayMs: 5, ...options.settings },
  });
  const group = new ListenerGroup({
    log: silentLogger,
    secureContext: createTlsContext(tls, "TLSv1.2"),
    maxConnections: 100,
    maxConnectionsPerIp: 100,
    idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
  });
  group.add({
    proto: "pop3",
    address: "127.0.0.1:0",
    implicitTls: false,
    handler: server.plainHandler,
    reject: server.reject,
  });
  group.add({
    proto: "pop3",
    address: "127.0.0.1:0",
    implicitTls: true,
    handler: server.tlsHandler,
    reject: server.reject,
  });
  const [plain, secure] = await group.listen();
  const users = new UserAdmin(services.store, services.mailboxes, {
    defaultQuota: { storageBytes: null, messages: null },
    createSpecialUseFolders: false,
    scryptCost: { ln: 4, r: 8, p: 1 },
  });
  return {
    services,
    dataDir,
    plainPort: plain?.port ?? 0,
    tlsPort: secure?.port ?? 0,
    cert: tls.cert,
    lock,
    addUser: async (address, password = PASSWORD) => (await users.add(address, password)).id,
    deliver: async (accountId, message) => {
      const inbox = await services.mailboxes.require(accountId, "INBOX");
      return services.messages.append(
        accountId,
        inbox.id,
        typeof message === "string" ? Buffer.from(message) : message,
      );
    },
    stop: async (keepData = false) => {
      await group.shutdown(500);
      await services.close();
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A small message with CRLF line ends. */
export function makeMessage(subject: string, bodyLines: readonly string[] = ["Hello."]): string {
  return [
    "From: Alice <alice@example.test>",
    "To: Bob <bob@example.test>",
    `Subject: ${subject}`,
    "Date: Thu, 26 Nov 2026 10:00:00 +0000",
    `Message-ID: <${subject.replace(/\W/g, "")}.${Math.random().toString(36).slice(2)}@example.test>`,
    "",
    ...bodyLines,
    "",
  ].join("\r\n");
}

/** Raw POP3 over a LineClient (latin1, so every byte survives). */
export class Pop3Wire {
  constructor(readonly client: LineClient) {}

  static async connect(port: number): Promise<{ wire: Pop3Wire; greeting: string }> {
    const wire = new Pop3Wire(await connectPlainClient(port));
    return { wire, greeting: await wire.client.line() };
  }

  /** Sends one command and returns its status line. */
  async command(line: string): Promise<string> {
    this.client.write(`${line}\r\n`);
    return this.client.line();
  }

  /** Reads the lines of a multi-line body up to the "." terminator, un-stuffing them. */
  async body(): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.client.line();
      if (line === ".") return lines;
      lines.push(line.startsWith(".") ? line.slice(1) : line);
    }
  }

  /** A multi-line command: its status line and (when +OK) its body. */
  async multiline(line: string): Promise<{ status: string; lines: string[] }> {
    const status = await this.command(line);
    return { status, lines: status.startsWith("+OK") ? await this.body() : [] };
  }

  async logIn(user: string, password = PASSWORD): Promise<string> {
    const first = await this.command(`USER ${user}`);
    if (!first.startsWith("+OK")) return first;
    return this.command(`PASS ${password}`);
  }

  close(): void {
    this.client.socket.destroy();
  }
}

/** RETR's body as the bytes the client reassembles (lines joined with CRLF). */
export const bodyBytes = (lines: readonly string[]): Buffer =>
  Buffer.from(lines.map((l) => `${l}\r\n`).join(""), "latin1");

// Test support for LMTP/SMTP suites: a fresh embedded store, the delivery service and both inbound
// listeners on 127.0.0.1 port 0 with STARTTLS, plus readers for what landed in a mailbox.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DeliveryConfig } from "../../src/config/config.js";
import type { Logger } from "../../src/kit/logger.js";
import { silentLogger } from "../../src/kit/logger.js";
import { DeliveryService } from "../../src/mail/delivery-service.js";
import type { LineClient } from "../../src/net/line-client.testkit.js";
import { ListenerGroup } from "../../src/net/listener-group.js";
import { createTlsContext, loadTlsMaterial, type TlsMaterial } from "../../src/net/tls.js";
import { createLmtpListeners } from "../../src/smtp/lmtp-server.js";
import { createSmtpListeners } from "../../src/smtp/smtp-server.js";
import type { AccountRecord, MailStore, QuotaLimits } from "../../src/store/mail-store.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";

export interface InboundServerOptions {
  readonly maxMessageBytes?: number;
  readonly maxRecipients?: number;
  readonly maxConnectionsPerIp?: number;
  readonly idleTimeoutMs?: number;
  readonly delivery?: Partial<DeliveryConfig>;
  readonly log?: Logger;
}

export interface StoredMessage {
  readonly uid: number;
  readonly blobHash: string;
  readonly raw: Buffer;
  readonly internalDateMs: number;
}

export interface InboundTestServer {
  readonly store: MailStore;
  readonly dataDir: string;
  readonly lmtpPort: number;
  readonly smtpPort: number;
  addAccount(address: string, quota?: QuotaLimits): Promise<AccountRecord>;
  /** Messages of a mailbox (INBOX by default) with their stored bytes. */
  messages(address: string, mailbox?: string): Promise<StoredMessage[]>;
  close(): Promise<void>;
}

export const HOSTNAME = "mx.postfach.test";
let material: Promise<{ material: TlsMaterial; dir: string }> | undefined;

/** One self-signed certificate per test process. */
function sharedTls(): Promise<{ material: TlsMaterial; dir: string }> {
  material ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), "postfach-inbound-tls-"));
    process.once("exit", () => void rm(dir, { recursive: true, force: true }));
    return { material: await loadTlsMaterial({ dataDir: dir, hostname: HOSTNAME, log: silentLogger }), dir };
  })();
  return material;
}

export async function startInboundServer(options: InboundServerOptions = {}): Promise<InboundTestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "postfach-inbound-"));
  const store = await openSqliteStore({ dataDir });
  const log = options.log ?? silentLogger;
  const delivery = new DeliveryService(
    store,
    {
      hostname: HOSTNAME,
      recipientDelimiter: "+",
      detailToFolder: false,
      localPartCaseSensitive: false,
      quotaPermanent: false,
      ...options.delivery,
    },
    log,
  );
  const { material: tls } = await sharedTls();
  const group = new ListenerGroup({
    log,
    secureContext: createTlsContext(tls, "TLSv1.2"),
    maxConnections: 100,
    maxConnectionsPerIp: options.maxConnectionsPerIp ?? 50,
    idleTimeoutMs: 0,
  });
  const server = {
    hostname: HOSTNAME,
    maxMessageBytes: options.maxMessageBytes ?? 52_428_800,
    maxRecipients: options.maxRecipients ?? 100,
    maxLineBytes: 4096,
    idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
    quotaPermanent: options.delivery?.quotaPermanent ?? false,
  };
  for (const spec of createLmtpListeners({ delivery }, { ...server, listen: ["127.0.0.1:0"] }, log))
    group.add(spec);
  for (const spec of createSmtpListeners({ delivery }, { ...server, listen: ["127.0.0.1:0"] }, log))
    group.add(spec);
  const bound = await group.listen();
  const portOf = (proto: string) => bound.find((b) => b.proto === proto)?.port ?? 0;
  return {
    store,
    dataDir,
    lmtpPort: portOf("lmtp"),
    smtpPort: portOf("smtp"),
    addAccount: (address, quota = { storageBytes: null, messages: null }) =>
      store.accounts.create({ address, passwordHash: "x", quota }),
    async messages(address, mailboxName = "INBOX") {
      const account = await store.accounts.findByAddress(address);
      if (!account) throw new Error(`no account ${address}`);
      const mailbox = await store.mailboxes.findByName(account.id, mailboxName);
      if (!mailbox) return [];
      const entries = await store.messages.listEntries(mailbox.id);
      const summaries = await store.messages.getEmailSummaries(entries.map((e) => e.emailId));
      const out: StoredMessage[] = [];
      for (const entry of entries) {
        const summary = summaries.get(entry.emailId);
        if (!summary) continue;
        out.push({
          uid: entry.uid,
          blobHash: summary.blobHash,
          raw: await store.blobs.read(summary.blobHash),
          internalDateMs: entry.internalDateMs,
        });
      }
      return out;
    },
    async close() {
      await group.shutdown(500);
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Reads one (possibly multi-line) reply; returns its lines. */
export async function readReply(client: LineClient, timeoutMs = 5000): Promise<string[]> {
  const lines: string[] = [];
  for (;;) {
    const line = await client.line(timeoutMs);
    lines.push(line);
    if (/^\d{3}( |$)/.test(line)) return lines;
  }
}

/** Sends a command and returns the last line of its reply. */
export async function command(client: LineClient, text: string): Promise<string> {
  client.write(`${text}\r\n`);
  return (await readReply(client)).at(-1) ?? "";
}

/** The message as stored, without the trace headers delivery prepended. */
export function withoutTrace(raw: Buffer): Buffer {
  let pos = 0;
  for (;;) {
    const end = raw.indexOf("\r\n", pos);
    const line = raw.subarray(pos, end).toString("latin1");
    if (/^(Return-Path|Delivered-To|Received):/.test(line) || (pos > 0 && /^\t/.test(line))) {
      pos = end + 2;
      continue;
    }
    return raw.subarray(pos);
  }
}

// A test server whose outbound mail goes to a loopback "remote MX" (smtp-sink.ts): remote.test's MX record
// on the test DNS names 127.0.0.1, where the sink listens; and DKIM keys published on that DNS, so that
// what arrives can be verified as a real receiver would.
import { DkimAdmin, dkimDnsRecord, type GenerateDkimKeyOptions } from "../../src/admin/dkim-admin.js";
import type { OutboundConfig } from "../../src/config/config.js";
import type { DkimKeyRecord } from "../../src/store/mail-store.js";
import { type SinkMessage, type SmtpSink, startSmtpSink } from "./smtp-sink.js";
import { startTestServer, type TestServer } from "./test-server.js";

/** The domain whose MX is the sink: mail to anyone@remote.test arrives there. */
export const REMOTE_DOMAIN = "remote.test";

export interface RemoteMxServer {
  readonly server: TestServer;
  readonly sink: SmtpSink;
  /** Stops the server, then the sink. */
  stop(): Promise<void>;
}

/** A test server sending to each domain's MX (no smarthost), polling its queue every 100 ms. */
export async function startServerWithRemoteMx(
  outbound: Partial<OutboundConfig> = {},
): Promise<RemoteMxServer> {
  const sink = await startSmtpSink();
  const server = await startTestServer((config) => ({
    ...config,
    outbound: {
      ...config.outbound,
      smarthost: "",
      mxPort: sink.port,
      pollIntervalMs: 100,
      timeoutMs: 5000,
      ...outbound,
    },
  })).catch(async (error) => {
    await sink.stop();
    throw error;
  });
  server.dns.set(REMOTE_DOMAIN, { MX: [{ exchange: `mx.${REMOTE_DOMAIN}`, priority: 10 }] });
  server.dns.set(`mx.${REMOTE_DOMAIN}`, { A: ["127.0.0.1"] });
  return {
    server,
    sink,
    async stop() {
      await server.stop();
      await sink.stop();
    },
  };
}

/** Generates a DKIM key for a local domain (as `postfach domain dkim generate` does) and publishes its TXT record. */
export async function publishDkimKey(
  server: TestServer,
  domain: string,
  options: GenerateDkimKeyOptions = {},
): Promise<DkimKeyRecord> {
  const key = await new DkimAdmin(server.server.services.store).generate(domain, options);
  const record = dkimDnsRecord(key);
  server.dns.set(record.name, { TXT: [record.value] });
  return key;
}

/** Waits (up to 20 s) for a message with this subject to reach the sink. */
export async function messageAtMx(sink: SmtpSink, subject: string): Promise<SinkMessage> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const arrived = sink.messages.find((m) => m.data.includes(`Subject: ${subject}`));
    if (arrived !== undefined) return arrived;
    if (Date.now() > deadline) throw new Error(`"${subject}" never reached the remote MX`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

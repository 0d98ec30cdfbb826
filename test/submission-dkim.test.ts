// Outbound DKIM end to end: a domain's key made with DkimAdmin (what `postfach domain dkim generate` runs)
// and its TXT record published on the loopback DNS server; a message submitted with nodemailer reaches the
// loopback "remote MX" signed, and mailauth's verifier finds the signature valid through that DNS. Mail
// from a domain without a key arrives unsigned.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { dkimVerify } from "mailauth/lib/dkim/verify.js";
import nodemailer from "nodemailer";
import { DkimAdmin, dkimDnsRecord } from "../src/admin/dkim-admin.js";
import { type SmtpSink, startSmtpSink } from "./helpers/smtp-sink.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";
const CAROL = "carol@other.test";

describe("outbound mail is DKIM-signed", () => {
  let server: TestServer;
  let sink: SmtpSink;

  before(async () => {
    sink = await startSmtpSink();
    server = await startTestServer((config) => ({
      ...config,
      outbound: {
        ...config.outbound,
        smarthost: "",
        mxPort: sink.port,
        pollIntervalMs: 100,
        timeoutMs: 5000,
      },
    }));
    server.dns.set("remote.test", { MX: [{ exchange: "mx.remote.test", priority: 10 }] });
    server.dns.set("mx.remote.test", { A: ["127.0.0.1"] });
    const store = server.server.services.store;
    await store.domains.addDomain("example.test");
    await store.domains.addDomain("other.test");
    await server.addUser(ALICE);
    await server.addUser(CAROL);
    const key = await new DkimAdmin(store).generate("example.test", { selector: "s2026" });
    const record = dkimDnsRecord(key);
    server.dns.set(record.name, { TXT: [record.value] });
  });
  after(async () => {
    await server.stop();
    await sink.stop();
  });

  async function submit(from: string, subject: string): Promise<Buffer> {
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: server.port("submission"),
      secure: false,
      auth: { user: from, pass: TEST_PASSWORD },
      tls: { rejectUnauthorized: false },
    });
    try {
      await transport.sendMail({ from, to: "dave@remote.test", subject, text: "Signed or not.\n" });
    } finally {
      transport.close();
    }
    const deadline = Date.now() + 20_000;
    for (;;) {
      const arrived = sink.messages.find((m) => m.data.includes(`Subject: ${subject}`));
      if (arrived !== undefined) return Buffer.from(arrived.data, "latin1");
      if (Date.now() > deadline) throw new Error(`"${subject}" never reached the remote MX`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const lookup = (name: string, rrtype: string) =>
    server.server.services.dns.resolve(name, rrtype) as Promise<string[][]>;

  it("a message from a domain with a key arrives signed and verifies", async () => {
    const arrived = await submit(ALICE, "signed on the way out");
    assert.match(arrived.toString("latin1"), /^DKIM-Signature: [\s\S]*d=example\.test;[\s\S]*s=s2026;/m);
    const verified = await dkimVerify(arrived, { resolver: lookup });
    const result = verified.results.find((r) => r.signingDomain === "example.test");
    assert.equal(result?.status.result, "pass", JSON.stringify(verified.results));
    assert.ok(server.dns.queries.includes("s2026._domainkey.example.test TXT"));
  });

  it("a message from a domain without a key arrives unsigned", async () => {
    const arrived = await submit(CAROL, "unsigned on the way out");
    assert.doesNotMatch(arrived.toString("latin1"), /^DKIM-Signature:/im);
  });
});

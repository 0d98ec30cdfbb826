// Outbound DKIM end to end: a domain's key made with DkimAdmin (what `postfach domain dkim generate` runs)
// and its TXT record published on the loopback DNS server; a message submitted with nodemailer reaches the
// loopback "remote MX" signed, and mailauth's verifier finds the signature valid through that DNS. Mail
// from a domain without a key arrives unsigned.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { dkimVerify } from "mailauth/lib/dkim/verify.js";
import nodemailer from "nodemailer";
import {
  messageAtMx,
  publishDkimKey,
  type RemoteMxServer,
  startServerWithRemoteMx,
} from "./helpers/remote-mx.js";
import { TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";
const CAROL = "carol@other.test";

describe("outbound mail is DKIM-signed", () => {
  let remote: RemoteMxServer;
  let server: TestServer;

  before(async () => {
    remote = await startServerWithRemoteMx();
    server = remote.server;
    const store = server.server.services.store;
    await store.domains.addDomain("example.test");
    await store.domains.addDomain("other.test");
    await server.addUser(ALICE);
    await server.addUser(CAROL);
    await publishDkimKey(server, "example.test", { selector: "s2026" });
  });
  after(() => remote.stop());

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
    return Buffer.from((await messageAtMx(remote.sink, subject)).data, "latin1");
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

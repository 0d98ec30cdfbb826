// Inbound SMTP checks SPF, DKIM and DMARC (mailauth through the configurable resolver, answered by the
// loopback DNS server) and puts Authentication-Results (RFC 8601) naming this host on top of the stored
// message: all three passing for a signed message from an allowed address, failing for a forged one, a
// temporary error when DNS fails, a forged result claiming to be ours removed, and nothing added on LMTP.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import { dkimSign } from "mailauth/lib/dkim/sign.js";
import nodemailer from "nodemailer";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const USER = "rcpt@local.test";
const HOST = "localhost"; // the test server's hostname: the authserv-id

function message(from: string, subject: string, extraHeaders: readonly string[] = []): Buffer {
  return Buffer.from(
    [
      ...extraHeaders,
      `From: Sender <${from}>`,
      `To: ${USER}`,
      `Subject: ${subject}`,
      "Date: Thu, 26 Nov 2026 10:00:00 +0000",
      `Message-ID: <${subject.replaceAll(" ", "-")}@test>`,
      "",
      `Body of ${subject}.`,
      "",
    ].join("\r\n"),
  );
}

describe("Authentication-Results on inbound SMTP", () => {
  let server: TestServer;
  let client: ImapFlow;
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();

  before(async () => {
    server = await startTestServer();
    await server.addUser(USER);
    const p = publicKey.export({ type: "spki", format: "der" }).toString("base64");
    // good.test: SPF allows 127.0.0.1, a DKIM key, DMARC p=reject. forged.test: SPF allows another host.
    server.dns.set("good.test", { TXT: ["v=spf1 ip4:127.0.0.1 -all"] });
    server.dns.set("sel._domainkey.good.test", { TXT: [`v=DKIM1; k=rsa; p=${p}`] });
    server.dns.set("_dmarc.good.test", { TXT: ["v=DMARC1; p=reject"] });
    server.dns.set("forged.test", { TXT: ["v=spf1 ip4:192.0.2.1 -all"] });
    server.dns.set("_dmarc.forged.test", { TXT: ["v=DMARC1; p=reject"] });
    server.dns.set("broken.test", { servfail: true });
    client = imapFlowClient(server.port("imap"), USER);
    await client.connect();
  });
  after(async () => {
    await client.logout().catch(() => {});
    await server.stop();
  });

  async function send(proto: "smtp" | "lmtp", from: string, raw: Buffer): Promise<void> {
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: server.port(proto),
      lmtp: proto === "lmtp",
      ignoreTLS: true,
      name: "client.good.test",
    });
    try {
      const info = await transport.sendMail({ envelope: { from, to: [USER] }, raw });
      assert.deepEqual(info.accepted, [USER]);
    } finally {
      transport.close();
    }
  }

  /** The stored header block of the message with this subject. */
  async function storedHeader(subject: string): Promise<string> {
    const lock = await client.getMailboxLock("INBOX");
    try {
      const uids = (await client.search({ subject }, { uid: true })) || [];
      assert.equal(uids.length, 1, `one message "${subject}"`);
      const fetched = await client.fetchOne(String(uids[0]), { source: true }, { uid: true });
      const source = fetched ? (fetched.source?.toString("latin1") ?? "") : "";
      return source.slice(0, source.indexOf("\r\n\r\n") + 2);
    } finally {
      lock.release();
    }
  }

  /** The message with a DKIM signature of good.test (as the sending server would add it). */
  async function signedByGood(raw: Buffer): Promise<Buffer> {
    const key = { signingDomain: "good.test", selector: "sel", privateKey: privateKeyPem };
    const signed = await dkimSign(raw, { ...key, signatureData: [key] });
    return Buffer.concat([Buffer.from(signed.signatures), raw]);
  }

  /** The unfolded Authentication-Results fields of a header block. */
  const resultsOf = (header: string): string[] =>
    header
      .replace(/\r\n[ \t]+/g, " ")
      .split("\r\n")
      .filter((line) => /^Authentication-Results:/i.test(line));

  it("a signed message from an address SPF allows passes SPF, DKIM and DMARC", async () => {
    await send("smtp", "alice@good.test", await signedByGood(message("alice@good.test", "all pass")));
    const header = await storedHeader("all pass");
    const [results, ...more] = resultsOf(header);
    assert.equal(more.length, 0);
    assert.match(results ?? "", new RegExp(`^Authentication-Results: ${HOST};`));
    assert.match(results ?? "", /spf=pass [^;]*smtp\.mailfrom=alice@good\.test/);
    assert.match(results ?? "", /dkim=pass [^;]*header\.i=@good\.test header\.s=sel/);
    assert.match(results ?? "", /dmarc=pass [^;]*header\.from=good\.test/);
    assert.match(header, /^Received-SPF: pass/m);
    // Our trace fields stay on top; the results sit between them and the message as it arrived.
    assert.ok(header.indexOf("Received: from") < header.indexOf("Authentication-Results:"));
    assert.ok(header.indexOf("Authentication-Results:") < header.indexOf("DKIM-Signature:"));
  });

  it("a message from an address SPF forbids, unsigned, fails SPF and DMARC and is still delivered", async () => {
    await send("smtp", "mallory@forged.test", message("ceo@forged.test", "forged sender"));
    const [results] = resultsOf(await storedHeader("forged sender"));
    assert.match(results ?? "", /spf=fail /);
    assert.match(results ?? "", /dkim=none/);
    assert.match(results ?? "", /dmarc=fail [^;]*header\.from=forged\.test/);
  });

  it("a changed body fails DKIM (and DMARC without an aligned SPF pass)", async () => {
    const signed = await signedByGood(message("alice@good.test", "tampered body"));
    const changed = Buffer.from(signed.toString("latin1").replace("Body of", "Changed body of"), "latin1");
    // MAIL FROM in a domain without SPF: DMARC rests on DKIM alone.
    await send("smtp", "bounces@nowhere.test", changed);
    const [results] = resultsOf(await storedHeader("tampered body"));
    assert.match(results ?? "", /dkim=(neutral|fail) [^;]*body hash did not verify/);
    assert.match(results ?? "", /dmarc=fail/);
  });

  it("a DNS failure is a temporary error, not a verdict", async () => {
    await send("smtp", "someone@broken.test", message("someone@broken.test", "dns broken"));
    const [results] = resultsOf(await storedHeader("dns broken"));
    assert.match(results ?? "", /spf=temperror/);
  });

  it("removes a forged Authentication-Results naming this host, keeps others'", async () => {
    const raw = message("alice@good.test", "forged results", [
      `Authentication-Results: ${HOST}; spf=pass smtp.mailfrom=alice@good.test; dkim=pass header.d=good.test`,
      "Authentication-Results: upstream.example;",
      "\tspf=pass smtp.mailfrom=x@upstream.example",
    ]);
    await send("smtp", "mallory@forged.test", raw);
    const results = resultsOf(await storedHeader("forged results"));
    assert.equal(results.length, 2, results.join("\n"));
    assert.match(results[0] ?? "", new RegExp(`^Authentication-Results: ${HOST};.*spf=fail`));
    assert.match(results[1] ?? "", /^Authentication-Results: upstream\.example; spf=pass/);
  });

  it("LMTP deliveries get no results (the MTA in front checked them)", async () => {
    await send("lmtp", "alice@good.test", message("alice@good.test", "via lmtp"));
    assert.deepEqual(resultsOf(await storedHeader("via lmtp")), []);
  });
});

// LMTP (RFC 2033) over real sockets: per-recipient replies after DATA, single-blob delivery to many
// mailboxes, aliases, catch-all, sub-addressing, and interop with Python's smtplib.LMTP and nodemailer.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import nodemailer from "nodemailer";
import { connectPlainClient } from "../src/net/line-client.testkit.js";
import {
  command,
  HOSTNAME,
  type InboundTestServer,
  readReply,
  startInboundServer,
  withoutTrace,
} from "./helpers/inbound-server.js";

const run = promisify(execFile);

const MESSAGE = [
  "From: Sender <sender@remote.example>",
  "To: Team <team@example.test>",
  "Subject: Quarterly numbers",
  "Message-ID: <q1@remote.example>",
  "",
  "Hello team,",
  "the numbers are in.",
  "",
].join("\r\n");

async function blobFiles(dataDir: string): Promise<string[]> {
  const root = join(dataDir, "blobs");
  const found: string[] = [];
  for (const a of await readdir(root)) {
    if (a === "tmp") continue;
    for (const b of await readdir(join(root, a))) found.push(...(await readdir(join(root, a, b))));
  }
  return found;
}

describe("LMTP delivery", () => {
  let server: InboundTestServer;
  before(async () => {
    server = await startInboundServer();
    await server.store.domains.addDomain("example.test");
    await server.addAccount("alice@example.test");
    await server.addAccount("carol@example.test");
    // Room at RCPT time (0 bytes used) but not for the message itself.
    await server.addAccount("bob@example.test", { storageBytes: 100, messages: null });
  });
  after(() => server.close());

  it("answers each recipient after DATA: two 250s and one 452 4.2.2; the unknown one got 550 5.1.1 at RCPT", async () => {
    const client = await connectPlainClient(server.lmtpPort);
    assert.match((await readReply(client))[0] ?? "", /^220 /);
    client.write("LHLO mta.example\r\n");
    const lhlo = await readReply(client);
    assert.ok(lhlo.includes("250-PIPELINING") && lhlo.includes("250-ENHANCEDSTATUSCODES"), lhlo.join("|"));
    assert.match(await command(client, "MAIL FROM:<sender@remote.example>"), /^250 2\.1\.0/);
    assert.match(await command(client, "RCPT TO:<alice@example.test>"), /^250 2\.1\.5/);
    assert.match(await command(client, "RCPT TO:<bob@example.test>"), /^250 2\.1\.5/);
    assert.match(await command(client, "RCPT TO:<nobody@example.test>"), /^550 5\.1\.1/);
    assert.match(await command(client, "RCPT TO:<carol@example.test>"), /^250 2\.1\.5/);
    assert.match(await command(client, "DATA"), /^354/);
    client.write(`${MESSAGE}.\r\n`);
    const replies = [await client.line(), await client.line(), await client.line()];
    assert.match(replies[0] ?? "", /^250 2\.0\.0 <alice@example\.test> /);
    assert.match(replies[1] ?? "", /^452 4\.2\.2 <bob@example\.test> /);
    assert.match(replies[2] ?? "", /^250 2\.0\.0 <carol@example\.test> /);
    assert.match(await command(client, "QUIT"), /^221 /);

    const [alice] = await server.messages("alice@example.test");
    const [carol] = await server.messages("carol@example.test");
    assert.ok(alice && carol);
    assert.notEqual(alice.blobHash, carol.blobHash, "each copy has its own trace fields");
    assert.deepEqual(await server.messages("bob@example.test"), []);
    assert.equal(withoutTrace(alice.raw).toString(), MESSAGE);
    const trace = alice.raw.subarray(0, alice.raw.length - withoutTrace(alice.raw).length).toString();
    assert.match(trace, /^Return-Path: <sender@remote\.example>\r\n/);
    assert.match(
      trace,
      /Received: from mta\.example \(\[127\.0\.0\.1\]\)\r\n\tby mx\.postfach\.test \(Postfach\) with LMTP id /,
    );
    assert.match(trace, /\r\nDelivered-To: alice@example\.test\r\n/);
    assert.match(trace, /\tfor <alice@example\.test>;/);
    assert.match(
      carol.raw.toString(),
      /^Return-Path: <sender@remote\.example>\r\nDelivered-To: carol@example\.test\r\n/,
    );
    assert.ok(Math.abs(alice.internalDateMs - Date.now()) < 10_000, "INTERNALDATE is the delivery time");
    const bodies = (await blobFiles(server.dataDir)).filter((name) => /^[0-9a-f]{64}$/.test(name));
    assert.equal(bodies.length, 1, "the message itself is stored once");
  });

  it("a single recipient gets Delivered-To and a Received line naming it", async () => {
    const client = await connectPlainClient(server.lmtpPort);
    await readReply(client);
    client.write("LHLO mta.example\r\nMAIL FROM:<>\r\nRCPT TO:<Carol@EXAMPLE.test>\r\nDATA\r\n");
    assert.match((await readReply(client)).at(-1) ?? "", /^250 /);
    assert.match(await client.line(), /^250 2\.1\.0/);
    assert.match(await client.line(), /^250 2\.1\.5/);
    assert.match(await client.line(), /^354/);
    client.write("Subject: bounce\r\n\r\nbody\r\n.\r\n");
    assert.match(await client.line(), /^250 2\.0\.0 <Carol@EXAMPLE\.test>/);
    const stored = (await server.messages("carol@example.test")).at(-1);
    assert.ok(stored);
    const text = stored.raw.toString();
    assert.match(text, /^Return-Path: <>\r\nDelivered-To: Carol@EXAMPLE\.test\r\nReceived: /);
    assert.match(text, /\tfor <Carol@EXAMPLE\.test>;\r\n/);
  });

  it("refuses HELO/EHLO on LMTP and MAIL before LHLO", async () => {
    const client = await connectPlainClient(server.lmtpPort);
    await readReply(client);
    assert.match(await command(client, "EHLO x"), /^500 5\.5\.1/);
    assert.match(await command(client, "MAIL FROM:<a@b.example>"), /^503 5\.5\.1/);
    client.socket.destroy();
  });

  it("an alias with two targets delivers one copy to each, from one blob", async () => {
    await server.store.domains.addAliasTarget("sales@example.test", "alice@example.test");
    await server.store.domains.addAliasTarget("sales@example.test", "carol@example.test");
    const before = {
      alice: (await server.messages("alice@example.test")).length,
      carol: (await server.messages("carol@example.test")).length,
    };
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: server.lmtpPort,
      lmtp: true,
      ignoreTLS: true,
    });
    const info = await transport.sendMail({
      envelope: { from: "sender@remote.example", to: ["sales@example.test"] },
      raw: "Subject: alias\r\n\r\nfor sales\r\n",
    });
    assert.deepEqual(info.accepted, ["sales@example.test"]);
    const alice = await server.messages("alice@example.test");
    const carol = await server.messages("carol@example.test");
    assert.equal(alice.length, before.alice + 1);
    assert.equal(carol.length, before.carol + 1);
    assert.equal(alice.at(-1)?.blobHash, carol.at(-1)?.blobHash);
    transport.close();
  });

  it("nodemailer over LMTP sees accepted and rejected recipients separately", async () => {
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: server.lmtpPort,
      lmtp: true,
      ignoreTLS: true,
    });
    const info = await transport.sendMail({
      envelope: { from: "sender@remote.example", to: ["alice@example.test", "bob@example.test"] },
      raw: "Subject: two\r\n\r\nhi\r\n",
    });
    assert.deepEqual(info.accepted, ["alice@example.test"]);
    assert.deepEqual(info.rejected, ["bob@example.test"]);
    transport.close();
  });

  it("Python smtplib.LMTP delivers plain, 8-bit and SMTPUTF8 mail byte-exactly", async () => {
    await server.addAccount("python@example.test");
    const script = `
import smtplib, sys
port = int(sys.argv[1])
lmtp = smtplib.LMTP("127.0.0.1", port)
lmtp.ehlo_or_helo_if_needed()
plain = b"Subject: plain\\r\\n\\r\\nplain body\\r\\n.starts with a dot\\r\\n"
eight = "Subject: 8bit\\r\\nContent-Type: text/plain; charset=utf-8\\r\\nContent-Transfer-Encoding: 8bit\\r\\n\\r\\nGr\\u00fc\\u00dfe aus K\\u00f6ln\\r\\n".encode("utf-8")
print(lmtp.sendmail("sender@remote.example", ["python@example.test"], plain))
print(lmtp.sendmail("sender@remote.example", ["python@example.test"], eight, mail_options=["BODY=8BITMIME"]))
print(lmtp.sendmail("j\\u00f6rg@b\\u00fccher.example", ["python+lists@example.test"], eight, mail_options=["SMTPUTF8", "BODY=8BITMIME"]))
lmtp.quit()
`;
    const { stdout } = await run("python3", ["-c", script, String(server.lmtpPort)]);
    assert.equal(stdout.trim(), "{}\n{}\n{}");
    const stored = await server.messages("python@example.test");
    assert.equal(stored.length, 3);
    assert.equal(
      withoutTrace(stored[0]?.raw ?? Buffer.alloc(0)).toString(),
      "Subject: plain\r\n\r\nplain body\r\n.starts with a dot\r\n",
    );
    const eight = Buffer.from(
      "Subject: 8bit\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln\r\n",
    );
    assert.deepEqual(withoutTrace(stored[1]?.raw ?? Buffer.alloc(0)), eight);
    assert.deepEqual(withoutTrace(stored[2]?.raw ?? Buffer.alloc(0)), eight);
    assert.match(stored[2]?.raw.toString() ?? "", /^Return-Path: <jörg@bücher\.example>\r\n/);
    assert.match(stored[2]?.raw.toString() ?? "", /with UTF8LMTP id/);
  });

  it(`greets with the configured host name ${HOSTNAME}`, async () => {
    const client = await connectPlainClient(server.lmtpPort);
    assert.equal((await readReply(client))[0], `220 ${HOSTNAME} LMTP Postfach ready`);
    client.socket.destroy();
  });
});

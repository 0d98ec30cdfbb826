// SMTP (RFC 5321) as MX for local domains over real sockets: no relaying, SIZE at MAIL and at DATA,
// pipelining, dot-stuffing, 8-bit and SMTPUTF8, STARTTLS with nodemailer, limits, a client that leaves
// mid-DATA, and "acknowledged means stored" checked from a second store handle.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import nodemailer from "nodemailer";
import { connectPlainClient } from "../src/net/line-client.testkit.js";
import { openSqliteStore } from "../src/store/sqlite/sqlite-store.js";
import {
  command,
  type InboundTestServer,
  readReply,
  startInboundServer,
  withoutTrace,
} from "./helpers/inbound-server.js";

const MAX_BYTES = 1_000_000;

async function session(port: number) {
  const client = await connectPlainClient(port);
  await readReply(client);
  client.write("EHLO client.example\r\n");
  const ehlo = await readReply(client);
  return { client, ehlo };
}

describe("SMTP inbound", () => {
  let server: InboundTestServer;
  before(async () => {
    server = await startInboundServer({ maxMessageBytes: MAX_BYTES, maxRecipients: 3 });
    await server.store.domains.addDomain("example.test");
    await server.addAccount("alice@example.test");
    await server.addAccount("bob@example.test");
  });
  after(() => server.close());

  it("advertises its extensions", async () => {
    const { client, ehlo } = await session(server.smtpPort);
    for (const ext of [
      "PIPELINING",
      `SIZE ${MAX_BYTES}`,
      "8BITMIME",
      "SMTPUTF8",
      "ENHANCEDSTATUSCODES",
      "STARTTLS",
    ]) {
      assert.ok(
        ehlo.some((l) => l.slice(4) === ext),
        `${ext} in ${ehlo.join("|")}`,
      );
    }
    client.socket.destroy();
  });

  it("open-relay: refuses recipients in other domains with 550 5.7.1 and stores nothing", async () => {
    const { client } = await session(server.smtpPort);
    assert.match(await command(client, "MAIL FROM:<spammer@bad.example>"), /^250 /);
    assert.match(await command(client, "RCPT TO:<victim@gmail.example>"), /^550 5\.7\.1 /);
    assert.match(await command(client, "RCPT TO:<alice@example.test.evil.example>"), /^550 5\.7\.1 /);
    assert.match(await command(client, "RCPT TO:<alice@[127.0.0.1]>"), /^550 5\.7\.1 /);
    assert.match(await command(client, 'RCPT TO:<"alice@example.test"@evil.example>'), /^550 5\.7\.1 /);
    assert.match(await command(client, "RCPT TO:<@example.test:victim@evil.example>"), /^550 5\.7\.1 /);
    assert.match(await command(client, "DATA"), /^554 5\.5\.1 /);
    client.socket.destroy();
    assert.equal((await server.messages("alice@example.test")).length, 0);
  });

  it("refuses a declared SIZE over the limit at MAIL FROM with 552 5.3.4", async () => {
    const { client } = await session(server.smtpPort);
    assert.match(
      await command(client, `MAIL FROM:<a@remote.example> SIZE=${MAX_BYTES + 1}`),
      /^552 5\.3\.4 /,
    );
    assert.match(await command(client, `MAIL FROM:<a@remote.example> SIZE=${MAX_BYTES}`), /^250 /);
    client.socket.destroy();
  });

  it("refuses at DATA a message that grows past the limit, stores nothing and stays in step", async () => {
    const { client } = await session(server.smtpPort);
    const before = (await server.messages("bob@example.test")).length;
    assert.match(await command(client, "MAIL FROM:<a@remote.example> SIZE=100"), /^250 /);
    assert.match(await command(client, "RCPT TO:<bob@example.test>"), /^250 /);
    assert.match(await command(client, "DATA"), /^354 /);
    const line = `${"x".repeat(998)}\r\n`;
    client.write(`Subject: big\r\n\r\n${line.repeat(Math.ceil(MAX_BYTES / line.length) + 1)}.\r\n`);
    assert.match((await readReply(client)).at(-1) ?? "", /^552 5\.3\.4 /);
    assert.match(await command(client, "NOOP"), /^250 /);
    client.socket.destroy();
    assert.equal((await server.messages("bob@example.test")).length, before);
  });

  it("answers a pipelined transaction in order and unstuffs dots", async () => {
    const { client } = await session(server.smtpPort);
    client.write(
      "MAIL FROM:<a@remote.example>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<nobody@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n",
    );
    const replies = [];
    for (let i = 0; i < 5; i++) replies.push((await readReply(client)).at(-1) ?? "");
    assert.deepEqual(
      replies.map((r) => r.slice(0, 9)),
      ["250 2.1.0", "250 2.1.5", "550 5.1.1", "250 2.1.5", "354 End d"],
    );
    client.write("Subject: dots\r\n\r\n..one dot\r\n...two dots\r\n.\r\n");
    assert.match((await readReply(client)).at(-1) ?? "", /^250 2\.0\.0 /);
    const stored = (await server.messages("alice@example.test")).at(-1);
    assert.equal(
      withoutTrace(stored?.raw ?? Buffer.alloc(0)).toString(),
      "Subject: dots\r\n\r\n.one dot\r\n..two dots\r\n",
    );
    assert.match(stored?.raw.toString() ?? "", /with ESMTP id /);
    assert.match(await command(client, "QUIT"), /^221 /);
  });

  it("limits recipients per message (452 4.5.3)", async () => {
    const { client } = await session(server.smtpPort);
    assert.match(await command(client, "MAIL FROM:<a@remote.example>"), /^250 /);
    for (let i = 0; i < 3; i++) assert.match(await command(client, "RCPT TO:<alice@example.test>"), /^250 /);
    assert.match(await command(client, "RCPT TO:<bob@example.test>"), /^452 4\.5\.3 /);
    client.socket.destroy();
  });

  it("needs SMTPUTF8 for non-ASCII addresses and accepts them with it", async () => {
    const { client } = await session(server.smtpPort);
    assert.match(await command(client, "MAIL FROM:<jörg@bücher.example>"), /^553 5\.6\.7 /);
    assert.match(await command(client, "MAIL FROM:<jörg@bücher.example> SMTPUTF8 BODY=8BITMIME"), /^250 /);
    assert.match(await command(client, "RCPT TO:<jörg@example.test>"), /^550 5\.1\.1 /);
    assert.match(await command(client, "RCPT TO:<bob@example.test>"), /^250 /);
    client.socket.destroy();
  });

  it("a client that disconnects mid-DATA leaves nothing visible", async () => {
    const before = (await server.messages("bob@example.test")).length;
    const { client } = await session(server.smtpPort);
    client.write("MAIL FROM:<a@remote.example>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n");
    for (let i = 0; i < 3; i++) await readReply(client);
    client.write("Subject: half\r\n\r\nthe first half of a message");
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await server.messages("bob@example.test")).length, before);
  });

  it("nodemailer over STARTTLS delivers plain, 8-bit and SMTPUTF8 mail; acknowledged means stored", async () => {
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: server.smtpPort,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
    });
    const second = await openSqliteStore({ dataDir: server.dataDir });
    const raws = [
      "From: a@remote.example\r\nSubject: plain\r\n\r\nhello\r\n.dot line\r\n",
      "From: a@remote.example\r\nSubject: 8bit\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße\r\n",
    ];
    for (const [i, raw] of raws.entries()) {
      const info = await transport.sendMail({
        envelope: { from: i === 0 ? "a@remote.example" : "jörg@bücher.example", to: ["alice@example.test"] },
        raw,
      });
      assert.deepEqual(info.accepted, ["alice@example.test"]);
      // The 250 has been seen: another handle on the same files must see the message already.
      const account = await second.accounts.findByAddress("alice@example.test");
      assert.ok(account);
      const inbox = await second.mailboxes.findByName(account.id, "INBOX");
      const entries = await second.messages.listEntries(inbox?.id ?? ("" as never));
      const summary = (await second.messages.getEmailSummaries(entries.map((e) => e.emailId))).get(
        entries.at(-1)?.emailId ?? ("" as never),
      );
      const stored = await second.blobs.read(summary?.blobHash ?? ("" as never));
      assert.deepEqual(withoutTrace(stored), Buffer.from(raw));
      assert.match(stored.toString(), i === 0 ? /with ESMTPS id/ : /with UTF8SMTPS id/);
    }
    transport.close();
    await second.close();
  });

  it("a 40 MB message over nodemailer arrives intact", async () => {
    const big = await startInboundServer();
    try {
      await big.addAccount("big@example.test");
      const line = `${"0123456789".repeat(7)}\r\n`;
      const raw = `Subject: large\r\n\r\n${line.repeat(Math.floor((40 * 1024 * 1024) / line.length))}`;
      const transport = nodemailer.createTransport({
        host: "127.0.0.1",
        port: big.smtpPort,
        ignoreTLS: true,
      });
      const started = Date.now();
      const info = await transport.sendMail({
        envelope: { from: "a@remote.example", to: ["big@example.test"] },
        raw,
      });
      const elapsedMs = Date.now() - started;
      transport.close();
      assert.deepEqual(info.accepted, ["big@example.test"]);
      const [stored] = await big.messages("big@example.test");
      assert.ok(stored);
      assert.ok(withoutTrace(stored.raw).equals(Buffer.from(raw)));
      console.log(`# 40 MB SMTP delivery: ${elapsedMs} ms`);
    } finally {
      await big.close();
    }
  });
});

// Abuse limits of the LMTP/SMTP listeners (RFC 5321 §4.5.3, §4.5.3.2.7): connection flooding from one
// address, over-long command lines, idle clients, error storms and oversized recipient lists — each gets
// a clear reply, the server keeps serving, and nothing half-received becomes visible.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectPlainClient, type LineClient } from "../src/net/line-client.testkit.js";
import { command, type InboundTestServer, readReply, startInboundServer } from "./helpers/inbound-server.js";

async function greeted(port: number): Promise<LineClient> {
  const client = await connectPlainClient(port);
  assert.match((await readReply(client))[0] ?? "", /^220 /);
  return client;
}

describe("LMTP and SMTP limits", () => {
  let server: InboundTestServer;
  before(async () => {
    server = await startInboundServer({ maxConnectionsPerIp: 50, maxRecipients: 3, idleTimeoutMs: 1500 });
    await server.store.domains.addDomain("example.test");
    await server.addAccount("alice@example.test");
  });
  after(() => server.close());

  it("connection flood: the 51st connection from one address gets 421 4.7.0 and is closed", async () => {
    const clients: LineClient[] = [];
    try {
      for (let i = 0; i < 50; i++) clients.push(await greeted(server.lmtpPort));
      const extra = await connectPlainClient(server.lmtpPort);
      assert.match(await extra.line(), /^421 4\.7\.0 .*Too many connections/);
      await extra.closed();
      // The 50 admitted ones still work, and a slot freed is a slot usable again.
      assert.match(await command(clients[0] as LineClient, "NOOP"), /^250 /);
      (clients.pop() as LineClient).socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
      clients.push(await greeted(server.lmtpPort));
    } finally {
      for (const client of clients) client.socket.destroy();
      // Let the server see the closes before the next test connects from the same address.
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  it("over-long command line: 500 5.5.2, and the session goes on", async () => {
    const client = await greeted(server.smtpPort);
    client.write(`EHLO ${"x".repeat(10_000)}\r\n`);
    assert.match(await client.line(), /^500 5\.5\.2 /);
    assert.match(await command(client, "NOOP"), /^250 /);
    client.write("EHLO client.example\r\n");
    assert.match((await readReply(client)).at(-1) ?? "", /^250 /);
    client.socket.destroy();
  });

  it("idle client: 421 4.4.2 after the idle timeout, mid-DATA too, and nothing of it is stored", async () => {
    const idle = await greeted(server.lmtpPort);
    assert.match(await idle.line(2000), /^421 4\.4\.2 /);
    await idle.closed();

    const before = (await server.messages("alice@example.test")).length;
    const slow = await greeted(server.lmtpPort);
    slow.write("LHLO mta.example\r\n");
    await readReply(slow);
    assert.match(await command(slow, "MAIL FROM:<s@remote.example>"), /^250 /);
    assert.match(await command(slow, "RCPT TO:<alice@example.test>"), /^250 /);
    assert.match(await command(slow, "DATA"), /^354/);
    slow.write("Subject: half\r\n\r\nthe first half and then silence");
    assert.match(await slow.line(2000), /^421 4\.4\.2 /);
    await slow.closed();
    assert.equal((await server.messages("alice@example.test")).length, before, "no half message");
  });

  it("error storm: ten bad commands get 421 4.7.0 Too many errors and the connection closes", async () => {
    const client = await greeted(server.smtpPort);
    client.write("BOGUS\r\n".repeat(12));
    const replies: string[] = [];
    for (;;) {
      const line = await client.line().catch(() => "");
      if (line === "") break;
      replies.push(line);
    }
    assert.match(replies.at(-1) ?? "", /^421 4\.7\.0 .*Too many errors/);
    assert.ok(
      replies.slice(0, -1).every((r) => r.startsWith("500 ")),
      replies.join("|"),
    );
  });

  it("too many recipients: the fourth RCPT gets 452 4.5.3, the first three still get the message", async () => {
    const client = await greeted(server.lmtpPort);
    client.write("LHLO mta.example\r\n");
    await readReply(client);
    assert.match(await command(client, "MAIL FROM:<s@remote.example>"), /^250 /);
    for (let i = 0; i < 3; i++) assert.match(await command(client, "RCPT TO:<alice@example.test>"), /^250 /);
    assert.match(await command(client, "RCPT TO:<alice@example.test>"), /^452 4\.5\.3 /);
    assert.match(await command(client, "DATA"), /^354/);
    client.write("Subject: limited\r\n\r\nbody\r\n.\r\n");
    for (let i = 0; i < 3; i++) assert.match(await client.line(), /^250 2\.0\.0 /);
    client.socket.destroy();
  });
});

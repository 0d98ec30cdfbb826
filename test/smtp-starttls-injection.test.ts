// Attack: STARTTLS command injection (CVE-2011-0411 class). Commands pipelined in plaintext after
// STARTTLS must never run inside the TLS session; the session starts over (RFC 3207 §4.2).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectPlainClient, connectTlsClient } from "../src/net/line-client.testkit.js";
import { command, type InboundTestServer, readReply, startInboundServer } from "./helpers/inbound-server.js";

describe("smtp starttls-injection", () => {
  let server: InboundTestServer;
  before(async () => {
    server = await startInboundServer();
    await server.addAccount("alice@example.test");
  });
  after(() => server.close());

  for (const proto of ["smtp", "lmtp"] as const) {
    it(`${proto}: commands sent with STARTTLS are discarded, not executed after the handshake`, async () => {
      const port = proto === "smtp" ? server.smtpPort : server.lmtpPort;
      const hello = proto === "smtp" ? "EHLO" : "LHLO";
      const plain = await connectPlainClient(port);
      await readReply(plain);
      plain.write(`${hello} attacker.example\r\n`);
      await readReply(plain);
      plain.write("STARTTLS\r\nMAIL FROM:<injected@evil.example>\r\nRCPT TO:<alice@example.test>\r\n");
      assert.match((await readReply(plain)).at(-1) ?? "", /^220 2\.0\.0 /);
      const tls = await connectTlsClient({ socket: plain.detach() });
      // Had the injected MAIL run, this RCPT would be accepted; a fresh session needs a new hello first.
      assert.match(await command(tls, "RCPT TO:<alice@example.test>"), /^503 5\.5\.1 /);
      assert.match(await command(tls, "MAIL FROM:<a@remote.example>"), /^503 5\.5\.1 /);
      tls.write(`${hello} client.example\r\n`);
      const ehlo = await readReply(tls);
      assert.ok(!ehlo.some((l) => l.includes("STARTTLS")), "no STARTTLS offered inside TLS");
      assert.match(await command(tls, "STARTTLS"), /^503 5\.5\.1 /);
      assert.match(await command(tls, "QUIT"), /^221 /);
    });
  }
});

// Attack: SMTP smuggling (CVE-2023-51764 class). A "." line ended by a bare LF, or a bare CR, must not end
// DATA, so a second message hidden inside the first can never be accepted as its own transaction.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectPlainClient } from "../src/net/line-client.testkit.js";
import { command, type InboundTestServer, readReply, startInboundServer } from "./helpers/inbound-server.js";

describe("smtp smuggling", () => {
  let server: InboundTestServer;
  before(async () => {
    server = await startInboundServer();
    await server.addAccount("alice@example.test");
    await server.addAccount("bob@example.test");
  });
  after(() => server.close());

  for (const terminator of ["\n.\n", "\n.\r\n", "\r.\r\n", "\r\n.\n"]) {
    it(`a smuggled end of data ${JSON.stringify(terminator)} is message content`, async () => {
      const before = (await server.messages("alice@example.test")).length;
      const client = await connectPlainClient(server.smtpPort);
      await readReply(client);
      client.write(
        "EHLO client.example\r\nMAIL FROM:<a@remote.example>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n",
      );
      for (let i = 0; i < 4; i++) await readReply(client);
      client.write(
        `Subject: outer\r\n\r\nouter${terminator}MAIL FROM:<ceo@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nsmuggled\r\n.\r\n`,
      );
      assert.match((await readReply(client)).at(-1) ?? "", /^250 /);
      assert.match(await command(client, "NOOP"), /^250 /);
      client.socket.destroy();
      const stored = await server.messages("alice@example.test");
      assert.equal(stored.length, before + 1);
      assert.match(stored.at(-1)?.raw.toString() ?? "", /Subject: smuggled/);
      assert.deepEqual(await server.messages("bob@example.test"), []);
    });
  }
});

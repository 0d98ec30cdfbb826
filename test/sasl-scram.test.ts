// SCRAM-SHA-256 end to end with an independent client (helpers/scram-client.ts): IMAP AUTHENTICATE on the
// plain port, SCRAM-SHA-256-PLUS bound to the TLS session on IMAPS, and POP3 AUTH.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TLSSocket } from "node:tls";
import { LineSocket } from "./helpers/line-socket.js";
import { scramClient } from "./helpers/scram-client.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const USER = "scram@example.test";
const b64 = (text: string) => Buffer.from(text).toString("base64");
const unb64 = (line: string) => Buffer.from(line.replace(/^\+ ?/, ""), "base64").toString();

describe("SCRAM-SHA-256 over real sockets", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await server.addUser(USER);
  });
  after(() => server.stop());

  async function imapScram(
    client: LineSocket,
    mechanism: string,
    password: string,
    binding?: { type: string; data: Buffer },
  ) {
    const scram = scramClient(USER, password, binding);
    client.send(`a1 AUTHENTICATE ${mechanism} ${b64(scram.first)}`);
    const serverFirst = unb64(await client.readLine());
    client.send(b64(scram.final(serverFirst)));
    const next = await client.readLine();
    if (!next.startsWith("+")) return { tagged: next, isServerVerified: false };
    const isServerVerified = scram.verifyServer(unb64(next));
    client.send("");
    return { tagged: await client.readLine(), isServerVerified };
  }

  it("IMAP advertises SCRAM and logs in with it; the server proves it knows the keys", async () => {
    const client = await LineSocket.connect(server.port("imap"));
    assert.match(await client.readLine(), /AUTH=SCRAM-SHA-256/);
    const result = await imapScram(client, "SCRAM-SHA-256", TEST_PASSWORD);
    assert.match(result.tagged, /^a1 OK/);
    assert.equal(result.isServerVerified, true);
    client.close();
  });

  it("IMAP refuses a wrong password with AUTHENTICATIONFAILED", async () => {
    const client = await LineSocket.connect(server.port("imap"));
    await client.readLine();
    const result = await imapScram(client, "SCRAM-SHA-256", "not the password");
    assert.match(result.tagged, /^a1 NO \[AUTHENTICATIONFAILED\]/);
    client.close();
  });

  it("IMAPS offers SCRAM-SHA-256-PLUS and binds the proof to this TLS session (tls-exporter / tls-unique)", async () => {
    const client = await LineSocket.connect(server.port("imap", true), { tls: true });
    assert.match(await client.readLine(), /AUTH=SCRAM-SHA-256-PLUS/);
    const socket = client.socket as TLSSocket;
    const binding =
      socket.getProtocol() === "TLSv1.3"
        ? {
            type: "tls-exporter",
            data: socket.exportKeyingMaterial(32, "EXPORTER-Channel-Binding", Buffer.alloc(0)),
          }
        : { type: "tls-unique", data: socket.getFinished() as Buffer };
    const result = await imapScram(client, "SCRAM-SHA-256-PLUS", TEST_PASSWORD, binding);
    assert.match(result.tagged, /^a1 OK/);
    client.close();

    const relayed = await LineSocket.connect(server.port("imap", true), { tls: true });
    await relayed.readLine();
    const forged = { type: binding.type, data: Buffer.alloc(binding.data.length, 1) };
    assert.match((await imapScram(relayed, "SCRAM-SHA-256-PLUS", TEST_PASSWORD, forged)).tagged, /^a1 NO/);
    relayed.close();
  });

  it("POP3 AUTH SCRAM-SHA-256", async () => {
    const client = await LineSocket.connect(server.port("pop3"));
    await client.readLine();
    const scram = scramClient(USER, TEST_PASSWORD);
    client.send(`AUTH SCRAM-SHA-256 ${b64(scram.first)}`);
    const serverFirst = unb64(await client.readLine());
    client.send(b64(scram.final(serverFirst)));
    const serverFinal = await client.readLine();
    assert.equal(scram.verifyServer(unb64(serverFinal)), true);
    client.send("");
    assert.match(await client.readLine(), /^\+OK Logged in/);
    client.close();
  });
});

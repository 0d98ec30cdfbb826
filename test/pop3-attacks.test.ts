// Attacks on the POP3 listener: STARTTLS command injection (CVE-2011-0411), oversized lines, login
// floods, binary junk and bad-command floods. Each must get a clear -ERR or a close, and the next
// client must still be served.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { connectTlsClient } from "../src/net/line-client.testkit.js";
import {
  makeMessage,
  PASSWORD,
  type Pop3TestServer,
  Pop3Wire,
  startPop3TestServer,
} from "./helpers/pop3-test-server.js";

const AUTH_DELAY_MS = 40;
let server: Pop3TestServer;
before(async () => {
  server = await startPop3TestServer({ settings: { maxLineBytes: 4096, authFailureDelayMs: AUTH_DELAY_MS } });
  const id = await server.addUser("victim@example.test");
  await server.deliver(id, makeMessage("secret"));
});
after(() => server.stop());

async function nextClientIsServed(): Promise<void> {
  const { wire, greeting } = await Pop3Wire.connect(server.plainPort);
  assert.equal(greeting, "+OK Postfach ready.");
  assert.match(await wire.logIn("victim@example.test"), /^\+OK Logged in/);
  assert.match(await wire.command("QUIT"), /^\+OK Bye/);
}

test("starttls-injection: commands pipelined after STLS in plaintext are never executed", async () => {
  const { wire } = await Pop3Wire.connect(server.plainPort);
  wire.client.write("STLS\r\nUSER victim@example.test\r\nCAPA\r\n");
  assert.equal(await wire.client.line(), "+OK Begin TLS negotiation");
  const secure = new Pop3Wire(await connectTlsClient({ socket: wire.client.detach() }, server.cert));
  // Had the injected USER run, PASS would now log in; had CAPA run, its reply would come first.
  assert.equal(await secure.command(`PASS ${PASSWORD}`), "-ERR Send USER first");
  const capa = await secure.multiline("CAPA");
  assert.equal(capa.status, "+OK Capability list follows");
  assert.ok(!capa.lines.includes("STLS"));
  assert.equal(await secure.command("STLS"), "-ERR Already using TLS");
  assert.match(await secure.logIn("victim@example.test"), /^\+OK Logged in/);
  assert.match(await secure.command("QUIT"), /^\+OK Bye/);
  await nextClientIsServed();
});

test("oversized-line: a command over 255 octets gets -ERR and the session goes on", async () => {
  const { wire } = await Pop3Wire.connect(server.plainPort);
  assert.equal(await wire.command(`USER ${"a".repeat(300)}`), "-ERR Command line too long");
  assert.equal(await wire.command(`USER ${"a".repeat(248)}`), "+OK Send PASS");
  assert.match(await wire.logIn("victim@example.test"), /^\+OK Logged in/);
  wire.close();
});

test("oversized-line: an endless line is cut off at max_line_bytes and the connection closed", async () => {
  const { wire } = await Pop3Wire.connect(server.plainPort);
  wire.client.write("X".repeat(64 * 1024));
  assert.equal(await wire.client.line(), "-ERR Line too long, closing");
  await wire.client.closed();
  await nextClientIsServed();
});

test("login-flood: failures are delayed more each time and the connection closes after three", async () => {
  const { wire } = await Pop3Wire.connect(server.plainPort);
  const started = performance.now();
  assert.equal(await wire.logIn("victim@example.test", "guess-1"), "-ERR [AUTH] Authentication failed");
  assert.equal(await wire.logIn("victim@example.test", "guess-2"), "-ERR [AUTH] Authentication failed");
  assert.equal(
    await wire.logIn("victim@example.test", "guess-3"),
    "-ERR [AUTH] Authentication failed; too many attempts, closing",
  );
  assert.ok(performance.now() - started >= AUTH_DELAY_MS * 6 - 5, "delays of 1, 2 and 3 units");
  await wire.client.closed();
  await nextClientIsServed();
});

test("login-flood: ten wrong passwords over parallel connections, then the right one works", async () => {
  const attempts = Array.from({ length: 10 }, async (_, i) => {
    const { wire } = await Pop3Wire.connect(server.plainPort);
    const reply = await wire.logIn("victim@example.test", `wrong-${i}`);
    wire.close();
    return reply;
  });
  for (const reply of await Promise.all(attempts)) assert.equal(reply, "-ERR [AUTH] Authentication failed");
  const saslWrong = await Pop3Wire.connect(server.plainPort);
  const response = Buffer.from("\0victim@example.test\0wrong").toString("base64");
  assert.equal(await saslWrong.wire.command(`AUTH PLAIN ${response}`), "-ERR [AUTH] Authentication failed");
  saslWrong.wire.close();
  await nextClientIsServed();
});

test("binary junk and unknown commands get -ERR; ten bad commands close the connection", async () => {
  const { wire } = await Pop3Wire.connect(server.plainPort);
  wire.client.write("\u0000\u00ff\u0001junk\u0080\r\n");
  assert.equal(await wire.client.line(), "-ERR Unknown command");
  assert.equal(await wire.command("HELO example"), "-ERR Unknown command");
  assert.equal(await wire.command("RETR one"), "-ERR Usage: RETR message-number");
  assert.equal(await wire.command(""), "-ERR Unknown command");
  for (let i = 0; i < 5; i++) assert.equal(await wire.command("BOGUS"), "-ERR Unknown command");
  assert.equal(await wire.command("BOGUS"), "-ERR Unknown command; too many bad commands, closing");
  await wire.client.closed();
  await nextClientIsServed();
});

test("a SASL continuation line beyond max_line_bytes closes the connection", async () => {
  const { wire } = await Pop3Wire.connect(server.plainPort);
  assert.equal(await wire.command("AUTH PLAIN"), "+ ");
  wire.client.write("A".repeat(8192));
  await wire.client.closed();
  await nextClientIsServed();
});

// PROXY protocol attacks and uses over real sockets: a trusted balancer's v1/v2 headers name the real
// client (limits count it), spoofed headers from untrusted peers, malformed and missing headers.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";
import { WireClient } from "./helpers/wire-client.js";

const SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

const v1 = (source: string, port = 40000): Buffer =>
  Buffer.from(`PROXY TCP4 ${source} 127.0.0.1 ${port} 143\r\n`);

function v2(source: readonly number[], port: number): Buffer {
  const body = [...source, 127, 0, 0, 1, port >> 8, port & 0xff, 0x03, 0xe1];
  return Buffer.from([...SIGNATURE, 0x21, 0x11, 0, body.length, ...body]);
}

describe("proxy-protocol", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer((config) => ({
      ...config,
      limits: { ...config.limits, maxConnectionsPerIp: 1 },
      proxy: { ...config.proxy, trusted: ["127.0.0.1/32"], headerTimeoutMs: 400, imap: true, pop3: true },
    }));
    await t.addUser("pat@example.test");
  });
  after(() => t.stop());

  it("v1 header: the session runs and per-IP limits count the real client, not the balancer", async () => {
    const first = await WireClient.connect(t.port("imap"), { preamble: v1("198.51.100.7") });
    await first.waitFor(/^\* OK/);
    const other = await WireClient.connect(t.port("imap"), { preamble: v1("198.51.100.8") });
    await other.waitFor(/^\* OK/);
    // The same real client again: over max_connections_per_ip = 1.
    const again = await WireClient.connect(t.port("imap"), { preamble: v1("198.51.100.7", 40001) });
    await again.waitFor(/^\* BYE \[LIMIT\]/);
    await again.closed();
    first.send("a1 LOGOUT\r\n");
    await first.waitFor(/a1 OK/);
    other.end();
  });

  it("v2 header before implicit TLS (IMAPS): handshake and login work, limits see the real client", async () => {
    const client = await WireClient.connect(t.port("imap", true), {
      tls: true,
      preamble: v2([203, 0, 113, 9], 50_000),
    });
    await client.waitFor(/^\* OK/);
    client.send(`a1 LOGIN pat@example.test ${TEST_PASSWORD}\r\n`);
    await client.waitFor(/a1 OK/);
    const twin = await WireClient.connect(t.port("imap", true), {
      tls: true,
      preamble: v2([203, 0, 113, 9], 50_001),
    });
    await twin.waitFor(/^\* BYE \[LIMIT\]/);
    client.end();
  });

  it("header and first command in one packet: the command is served, not lost", async () => {
    const client = await WireClient.connect(t.port("pop3"), {
      preamble: Buffer.concat([v1("192.0.2.44"), Buffer.from("CAPA\r\n")]),
    });
    await client.waitFor(/^\+OK[^\n]*\n\+OK[\s\S]*\r\n\.\r\n/);
    client.end();
  });

  it("spoofed-header: a peer outside proxy.trusted is closed without a greeting", async () => {
    const client = await WireClient.connect(t.port("imap"), {
      localAddress: "127.0.0.2",
      preamble: v1("10.9.9.9"),
    });
    await client.closed();
    assert.equal(client.text, "");
  });

  const malformed: Array<[string, Buffer]> = [
    ["a plain command instead of a header", Buffer.from("a1 CAPABILITY\r\n")],
    ["a v1 header with a bad address", Buffer.from("PROXY TCP4 999.1.1.1 127.0.0.1 1 2\r\n")],
    ["an endless v1 line", Buffer.from(`PROXY TCP4 ${"1".repeat(200)}`)],
    ["a v2 header with UDP", Buffer.from([...SIGNATURE, 0x21, 0x12, 0, 12, ...Array<number>(12).fill(1)])],
  ];
  for (const [name, bytes] of malformed) {
    it(`malformed-header: ${name} closes the connection without a greeting`, async () => {
      const client = await WireClient.connect(t.port("imap"), { preamble: bytes });
      await client.closed();
      assert.equal(client.text, "");
    });
  }

  it("missing-header: a connection that sends nothing is closed after header_timeout_ms", async () => {
    const started = Date.now();
    const client = await WireClient.connect(t.port("pop3"));
    await client.closed(3000);
    assert.equal(client.text, "");
    assert.ok(Date.now() - started >= 350, "closed before the header timeout");
  });

  it("listeners not marked for PROXY keep working without a header", async () => {
    const client = await WireClient.connect(t.port("lmtp"));
    await client.waitFor(/^220 /);
    client.end();
  });
});

// TLS policy over real sockets with node:tls and `openssl s_client`: implicit TLS, STARTTLS on every
// protocol with a fresh capability list after it, old protocol versions and weak ciphers refused, SNI
// choosing the certificate, and a reload (what SIGHUP does) swapping it for new connections.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { connect as connectTls } from "node:tls";
import { generateSelfSigned, type TlsMaterial } from "../src/net/tls.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";
import { WireClient } from "./helpers/wire-client.js";

interface OpensslResult {
  readonly code: number | null;
  readonly output: string;
}

/** Runs `openssl s_client` with stdin closed (it handshakes, then quits). */
function sClient(args: readonly string[]): Promise<OpensslResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("openssl", ["s_client", ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (data: Buffer) => {
      output += data.toString("latin1");
    });
    child.stderr.on("data", (data: Buffer) => {
      output += data.toString("latin1");
    });
    const timer = setTimeout(() => child.kill(), 10_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
    child.stdin.end();
  });
}

const commonName = (pem: string | Buffer): string =>
  /CN=([^\n,]+)/.exec(new X509Certificate(pem).subject)?.[1] ?? "";

describe("TLS", () => {
  let t: TestServer;
  let certDir = "";
  const material: Record<string, TlsMaterial> = {};
  const paths = (name: string) => ({ cert: join(certDir, `${name}.crt`), key: join(certDir, `${name}.key`) });

  async function writePair(file: string, pair: TlsMaterial): Promise<void> {
    await writeFile(paths(file).cert, pair.cert);
    await writeFile(paths(file).key, pair.key);
  }

  before(async () => {
    certDir = await mkdtemp(join(tmpdir(), "postfach-certs-"));
    for (const name of [
      "default.example.test",
      "one.example.test",
      "two.example.test",
      "renewed.example.test",
    ]) {
      material[name] = await generateSelfSigned(name);
    }
    await writePair("default", material["default.example.test"] as TlsMaterial);
    await writePair("one", material["one.example.test"] as TlsMaterial);
    await writePair("two", material["two.example.test"] as TlsMaterial);
    t = await startTestServer((config) => ({
      ...config,
      tls: {
        ...config.tls,
        ...paths("default"),
        sni: [
          { name: "one.example.test", ...paths("one") },
          { name: "*.two.example.test", ...paths("two") },
        ],
      },
    }));
  });
  after(async () => {
    await t.stop();
    await rm(certDir, { recursive: true, force: true });
  });

  for (const [proto, greeting] of [
    ["imap", /^\* OK/],
    ["pop3", /^\+OK/],
  ] as const) {
    it(`implicit TLS on ${proto}s: TLS 1.3 with an AEAD suite, then the greeting`, async () => {
      const client = await WireClient.connect(t.port(proto, true), { tls: true });
      await client.waitFor(greeting);
      const socket = client.socket as import("node:tls").TLSSocket;
      assert.equal(socket.getProtocol(), "TLSv1.3");
      assert.match(socket.getCipher().name, /GCM|CHACHA20/);
      client.end();
    });
  }

  for (const [proto, starttls, implicitTls] of [
    ["imap", "imap", false],
    ["pop3", "pop3", false],
    ["smtp", "smtp", false],
    ["lmtp", "lmtp", false],
    ["imap", null, true],
    ["pop3", null, true],
  ] as const) {
    const label = starttls === null ? `implicit TLS on ${proto}s` : `STARTTLS on ${proto}`;
    it(`openssl s_client: ${label}`, async () => {
      const args = ["-connect", `127.0.0.1:${t.port(proto, implicitTls)}`, "-brief"];
      const result = await sClient(starttls === null ? args : [...args, "-starttls", starttls]);
      assert.match(result.output, /CONNECTION ESTABLISHED/);
      assert.match(result.output, /Protocol version: TLSv1\.3/);
    });
  }

  for (const version of ["-tls1", "-tls1_1"]) {
    it(`old-protocol: openssl ${version} is refused by the server`, async () => {
      const result = await sClient([
        "-connect",
        `127.0.0.1:${t.port("imap", true)}`,
        version,
        "-cipher",
        "DEFAULT@SECLEVEL=0",
      ]);
      assert.notEqual(result.code, 0);
      assert.doesNotMatch(result.output, /CONNECTION ESTABLISHED/);
      assert.match(result.output, /alert protocol version|unsupported protocol/i);
    });
  }

  it("old-protocol: node:tls limited to TLS 1.1 cannot connect", async () => {
    const socket = connectTls({
      host: "127.0.0.1",
      port: t.port("pop3", true),
      rejectUnauthorized: false,
      minVersion: "TLSv1",
      maxVersion: "TLSv1.1",
      ciphers: "DEFAULT@SECLEVEL=0",
    });
    const error = await new Promise<Error>((resolve, reject) => {
      socket.once("error", resolve);
      socket.once("secureConnect", () => reject(new Error("TLS 1.1 handshake succeeded")));
    });
    assert.match(error.message, /protocol version|unsupported protocol/i);
  });

  it("weak-cipher: TLS 1.2 with a CBC suite or RSA key exchange is refused", async () => {
    for (const cipher of ["ECDHE-RSA-AES128-SHA", "AES128-GCM-SHA256"]) {
      const result = await sClient([
        "-connect",
        `127.0.0.1:${t.port("imap", true)}`,
        "-tls1_2",
        "-cipher",
        cipher,
      ]);
      assert.doesNotMatch(result.output, /CONNECTION ESTABLISHED/, cipher);
      assert.match(result.output, /handshake failure/i, cipher);
    }
  });

  for (const [servername, expected] of [
    ["one.example.test", "one.example.test"],
    ["mx.two.example.test", "two.example.test"],
    ["unknown.example.test", "default.example.test"],
  ] as const) {
    it(`SNI ${servername} gets the certificate of ${expected}`, async () => {
      const client = await WireClient.connect(t.port("imap", true), { tls: true, servername });
      await client.waitFor(/^\* OK/);
      assert.equal(client.peerCertificate.subject.CN, expected);
      client.end();
    });
  }

  it("SNI over STARTTLS with openssl -servername", async () => {
    const result = await sClient([
      "-connect",
      `127.0.0.1:${t.port("pop3")}`,
      "-starttls",
      "pop3",
      "-servername",
      "one.example.test",
      "-showcerts",
    ]);
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(result.output)?.[0];
    assert.ok(pem !== undefined, result.output);
    assert.equal(commonName(pem), "one.example.test");
  });

  it("STARTTLS: IMAP capabilities are fresh after the handshake", async () => {
    const client = await WireClient.connect(t.port("imap"));
    client.send("a1 CAPABILITY\r\n");
    assert.match(await client.waitFor(/a1 OK/), /\* CAPABILITY [^\r]*STARTTLS/);
    client.send("a2 STARTTLS\r\n");
    await client.waitFor(/a2 OK/);
    await client.startTls();
    client.send("a3 CAPABILITY\r\n");
    const text = await client.waitFor(/a3 OK/);
    assert.match(text, /\* CAPABILITY IMAP4rev/);
    assert.doesNotMatch(text, /STARTTLS|LOGINDISABLED/);
    client.end();
  });

  it("STARTTLS: POP3 CAPA after STLS no longer offers STLS", async () => {
    const client = await WireClient.connect(t.port("pop3"));
    await client.waitFor(/^\+OK/);
    client.send("CAPA\r\n");
    assert.match(await client.waitFor(/\r\n\.\r\n/), /\r\nSTLS\r\n/);
    client.send("STLS\r\n");
    await client.waitFor(/\+OK Begin TLS/);
    await client.startTls();
    client.send("CAPA\r\n");
    const text = await client.waitFor(/\r\n\.\r\n/);
    assert.match(text, /^\+OK/);
    assert.doesNotMatch(text, /STLS/);
    assert.match(text, /\r\nUSER\r\n|SASL/);
    client.end();
  });

  for (const [proto, hello] of [
    ["smtp", "EHLO"],
    ["lmtp", "LHLO"],
  ] as const) {
    it(`STARTTLS: ${proto.toUpperCase()} forgets the greeting and ${hello} lists no STARTTLS after TLS`, async () => {
      const client = await WireClient.connect(t.port(proto));
      await client.waitFor(/^220 /);
      client.send(`${hello} client.example.test\r\n`);
      assert.match(await client.waitFor(/\r\n250 [^\r]*\r\n/), /250[- ]STARTTLS/);
      client.send("STARTTLS\r\n");
      await client.waitFor(/\r\n220 /);
      await client.startTls();
      client.send("MAIL FROM:<a@example.test>\r\n");
      assert.match(await client.waitFor(/^5\d\d /m), /^503 /m);
      client.send(`${hello} client.example.test\r\n`);
      const text = await client.waitFor(/\r\n250 [^\r]*\r\n/);
      assert.doesNotMatch(text, /STARTTLS/);
      client.end();
    });
  }

  it("reload: new connections get the renewed certificate, open ones keep working", async () => {
    const before = await WireClient.connect(t.port("imap", true), { tls: true });
    await before.waitFor(/^\* OK/);
    assert.equal(before.peerCertificate.subject.CN, "default.example.test");
    await writePair("default", material["renewed.example.test"] as TlsMaterial);
    await t.server.reloadTls();
    const afterReload = await WireClient.connect(t.port("imap", true), { tls: true });
    await afterReload.waitFor(/^\* OK/);
    assert.equal(afterReload.peerCertificate.subject.CN, "renewed.example.test");
    const starttls = await sClient([
      "-connect",
      `127.0.0.1:${t.port("imap")}`,
      "-starttls",
      "imap",
      "-showcerts",
    ]);
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(starttls.output)?.[0];
    assert.equal(commonName(pem ?? ""), "renewed.example.test");
    before.send("a1 NOOP\r\n");
    await before.waitFor(/a1 OK/);
    before.end();
    afterReload.end();
  });

  it("reload: a broken certificate file is refused and the current one stays", async () => {
    await writeFile(paths("default").cert, "not a certificate");
    await assert.rejects(t.server.reloadTls());
    const client = await WireClient.connect(t.port("pop3", true), { tls: true });
    await client.waitFor(/^\+OK/);
    assert.equal(client.peerCertificate.subject.CN, "renewed.example.test");
    client.end();
  });
});

// Plaintext passwords only where the policy allows them (RFC 9051 §6.2.3 LOGINDISABLED, RFC 2595 §2.3):
// with `plaintext_auth = "tls_only"`, IMAP and POP3 refuse LOGIN, USER and AUTH PLAIN on a plain
// connection, say so in their capabilities, and accept them after STARTTLS / STLS.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

/** A line-at-a-time POP3 conversation that can switch to TLS after STLS. */
class RawPop3 {
  #buffer = "";
  #waiters: (() => void)[] = [];
  private constructor(private socket: import("node:net").Socket | TLSSocket) {
    this.#attach(socket);
  }
  static async connect(port: number): Promise<RawPop3> {
    const socket = connect({ host: "127.0.0.1", port });
    await new Promise((resolve) => socket.once("connect", resolve));
    const client = new RawPop3(socket);
    await client.line();
    return client;
  }
  #attach(socket: import("node:net").Socket | TLSSocket): void {
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      this.#buffer += chunk;
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }
  async line(): Promise<string> {
    for (;;) {
      const end = this.#buffer.indexOf("\r\n");
      if (end >= 0) {
        const line = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        return line;
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }
  async command(text: string): Promise<string> {
    this.socket.write(`${text}\r\n`);
    return this.line();
  }
  async multiline(text: string): Promise<string[]> {
    const first = await this.command(text);
    assert.match(first, /^\+OK/);
    const lines: string[] = [];
    for (let line = await this.line(); line !== "."; line = await this.line()) lines.push(line);
    return lines;
  }
  async upgrade(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners("data");
    const secure = tlsConnect({ socket: plain, rejectUnauthorized: false });
    await new Promise((resolve) => secure.once("secureConnect", resolve));
    this.socket = secure;
    this.#attach(secure);
  }
  close(): void {
    this.socket.destroy();
  }
}

describe("plaintext authentication policy tls_only", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer((config) => ({
      ...config,
      auth: { ...config.auth, plaintextAuth: "tls_only" },
    }));
    await t.addUser("alice@example.test");
  });
  after(async () => {
    await t.stop();
  });

  it("IMAP advertises LOGINDISABLED and refuses LOGIN and AUTHENTICATE PLAIN until STARTTLS", async () => {
    const raw = await RawImap.connect(t.port("imap"));
    assert.match(raw.take(), /LOGINDISABLED/);
    assert.doesNotMatch(await raw.command("a1", "CAPABILITY"), /AUTH=PLAIN/);
    assert.match(
      await raw.command("a2", `LOGIN alice@example.test ${TEST_PASSWORD}`),
      /^a2 NO \[PRIVACYREQUIRED\]/,
    );
    const plain = Buffer.from(`\u0000alice@example.test\u0000${TEST_PASSWORD}`).toString("base64");
    assert.match(await raw.command("a3", `AUTHENTICATE PLAIN ${plain}`), /^a3 NO/);
    assert.match(await raw.command("a4", "STARTTLS"), /^a4 OK/);
    await raw.upgradeToTls();
    const caps = await raw.command("a5", "CAPABILITY");
    assert.match(caps, /AUTH=PLAIN/);
    assert.doesNotMatch(caps, /LOGINDISABLED/);
    assert.match(await raw.command("a6", `LOGIN alice@example.test ${TEST_PASSWORD}`), /^a6 OK/);
    raw.close();
  });

  it("POP3 leaves USER and PLAIN out of CAPA and refuses USER until STLS", async () => {
    const pop = await RawPop3.connect(t.port("pop3"));
    const capa = await pop.multiline("CAPA");
    assert.ok(!capa.includes("USER"), capa.join("|"));
    assert.ok(!capa.some((line) => /^SASL .*PLAIN/.test(line)), capa.join("|"));
    assert.match(
      await pop.command("USER alice@example.test"),
      /^-ERR \[AUTH\] Plaintext authentication disallowed/,
    );
    assert.match(await pop.command("STLS"), /^\+OK/);
    await pop.upgrade();
    const secureCapa = await pop.multiline("CAPA");
    assert.ok(secureCapa.includes("USER"));
    assert.match(await pop.command("USER alice@example.test"), /^\+OK/);
    assert.match(await pop.command(`PASS ${TEST_PASSWORD}`), /^\+OK/);
    pop.close();
  });
});

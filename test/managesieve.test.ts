// ManageSieve (RFC 5804) over real sockets, raw protocol: the capability greeting, STARTTLS with the
// server's certificate and capabilities again after it, AUTHENTICATE PLAIN (and a wrong password refused),
// PUTSCRIPT and CHECKSCRIPT refusing a bad script with its line number, SETACTIVE, GETSCRIPT, LISTSCRIPTS,
// DELETESCRIPT of the active script, RENAMESCRIPT, HAVESPACE, NOOP tags, literals {n+} and {n},
// UNAUTHENTICATE and LOGOUT; a STARTTLS with a pipelined command does not run that command.
import assert from "node:assert/strict";
import { connect as connectTcp, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { connect as connectTls } from "node:tls";
import { scramClient } from "./helpers/scram-client.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const USER = "sieve-user@example.test";

/** A raw ManageSieve client: send a line, read lines up to the OK/NO/BYE that ends the response. */
class SieveClient {
  #buffer = "";
  #wake: (() => void) | null = null;
  #closed = false;
  private constructor(private socket: Socket) {
    this.#listen(socket);
  }

  static async connect(port: number): Promise<SieveClient> {
    const socket = connectTcp({ host: "127.0.0.1", port });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new SieveClient(socket);
  }

  #listen(socket: Socket): void {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.#buffer += chunk;
      this.#wake?.();
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#wake?.();
    });
  }

  async startTls(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners("data");
    const secure = connectTls({ socket: plain, rejectUnauthorized: false, servername: "localhost" });
    await new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", resolve);
      secure.once("error", reject);
    });
    this.socket = secure;
    this.#listen(secure);
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** Lines of one response, the final OK/NO/BYE line last. */
  async response(): Promise<string[]> {
    for (;;) {
      const match = /(^|\r\n)(OK|NO|BYE)( [^\r\n]*)?\r\n/.exec(this.#buffer);
      if (match) {
        const end = match.index + match[0].length;
        const text = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end);
        return text.split("\r\n").slice(0, -1);
      }
      if (this.#closed) throw new Error(`connection closed; got ${JSON.stringify(this.#buffer)}`);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = null;
    }
  }

  /** One line (a SASL challenge). */
  async line(): Promise<string> {
    for (;;) {
      const end = this.#buffer.indexOf("\r\n");
      if (end >= 0) {
        const line = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        return line;
      }
      if (this.#closed) throw new Error("connection closed");
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = null;
    }
  }

  async command(line: string): Promise<string[]> {
    this.send(`${line}\r\n`);
    return this.response();
  }

  async authenticate(user: string, password: string): Promise<string[]> {
    const plain = Buffer.from(`\0${user}\0${password}`).toString("base64");
    return this.command(`AUTHENTICATE "PLAIN" "${plain}"`);
  }

  close(): void {
    this.socket.destroy();
  }
}

const last = (lines: readonly string[]): string => lines[lines.length - 1] ?? "";
const literal = (text: string, sync = false): string =>
  `{${Buffer.byteLength(text)}${sync ? "" : "+"}}\r\n${text}`;

describe("ManageSieve over raw protocol", () => {
  let server: TestServer;
  let port = 0;
  before(async () => {
    server = await startTestServer();
    await server.addUser(USER);
    port = server.port("managesieve");
  });
  after(async () => {
    await server.stop();
  });

  it("greets with capabilities, upgrades with STARTTLS and manages scripts", async () => {
    const client = await SieveClient.connect(port);
    try {
      const greeting = await client.response();
      assert.ok(greeting.includes('"IMPLEMENTATION" "Postfach"'), greeting.join("\n"));
      assert.ok(greeting.includes('"STARTTLS"'));
      assert.ok(greeting.includes('"VERSION" "1.0"'));
      assert.ok(greeting.some((l) => /^"SIEVE" ".*\bfileinto\b.*\bvacation\b/.test(l)));
      assert.ok(greeting.some((l) => /^"MAXREDIRECTS" "[0-9]+"$/.test(l)));
      assert.match(last(greeting), /^OK/);

      assert.match(last(await client.command("STARTTLS")), /^OK/);
      await client.startTls();
      const again = await client.response();
      assert.ok(!again.includes('"STARTTLS"'), "no STARTTLS once TLS is active");
      assert.ok(again.some((l) => /^"SASL" ".*PLAIN/.test(l)));
      assert.match(last(again), /^OK/);

      assert.match(last(await client.command("LISTSCRIPTS")), /^NO/, "scripts need authentication");
      assert.match(last(await client.authenticate(USER, "wrong password")), /^NO/);
      assert.match(last(await client.authenticate(USER, TEST_PASSWORD)), /^OK/);

      const broken =
        'require "fileinto";\r\nif header :contains "subject" "x" {\r\n  fileinot "Junk";\r\n}\r\n';
      const put = await client.command(`PUTSCRIPT "broken" ${literal(broken)}`);
      assert.match(last(put), /^NO/);
      assert.match(put.join("\n"), /line 3/, put.join("\n"));
      const check = await client.command(`CHECKSCRIPT ${literal("keep;\r\nstop\r\n")}`);
      assert.match(last(check), /^NO/);
      assert.match(check.join("\n"), /line [23]/, check.join("\n"));
      assert.match(last(await client.command(`CHECKSCRIPT ${literal("keep;\r\n")}`)), /^OK/);

      const good =
        'require ["fileinto"];\r\nif header :contains "subject" "report" {\r\n  fileinto "Archive";\r\n}\r\n';
      assert.match(last(await client.command(`PUTSCRIPT "main" ${literal(good)}`)), /^OK/);
      assert.match(last(await client.command(`PUTSCRIPT "spare" ${literal("keep;\r\n", true)}`)), /^OK/);
      assert.deepEqual(await client.command("LISTSCRIPTS"), [
        '"main"',
        '"spare"',
        'OK "Listscripts completed"',
      ]);
      assert.match(last(await client.command('SETACTIVE "nope"')), /^NO \(NONEXISTENT\)/);
      assert.match(last(await client.command('SETACTIVE "main"')), /^OK/);
      assert.deepEqual((await client.command("LISTSCRIPTS")).slice(0, 2), ['"main" ACTIVE', '"spare"']);

      const got = await client.command('GETSCRIPT "main"');
      assert.equal(got[0], `{${Buffer.byteLength(good)}}`);
      assert.equal(`${got.slice(1, -2).join("\r\n")}\r\n`, good);
      assert.match(last(got), /^OK/);
      assert.match(last(await client.command('GETSCRIPT "none"')), /^NO \(NONEXISTENT\)/);

      assert.match(last(await client.command('DELETESCRIPT "main"')), /^NO \(ACTIVE\)/);
      assert.match(last(await client.command('RENAMESCRIPT "main" "spare"')), /^NO \(ALREADYEXISTS\)/);
      assert.match(last(await client.command('RENAMESCRIPT "main" "filters"')), /^OK/);
      assert.deepEqual((await client.command("LISTSCRIPTS")).slice(0, 2), ['"filters" ACTIVE', '"spare"']);
      assert.match(last(await client.command('DELETESCRIPT "spare"')), /^OK/);
      assert.match(last(await client.command('DELETESCRIPT "spare"')), /^NO \(NONEXISTENT\)/);

      assert.match(last(await client.command('HAVESPACE "big" 999999999')), /^NO \(QUOTA\/MAXSIZE\)/);
      assert.match(last(await client.command('HAVESPACE "small" 100')), /^OK/);
      assert.equal(last(await client.command('NOOP "t1"')), 'OK (TAG "t1") "Done"');
      assert.match(last(await client.command("FROBNICATE")), /^NO/);
      assert.match(last(await client.command('PUTSCRIPT "x"')), /^NO/, "missing argument");

      assert.match(last(await client.command("UNAUTHENTICATE")), /^OK/);
      assert.match(last(await client.command("LISTSCRIPTS")), /^NO/);
      assert.match(last(await client.authenticate(USER, TEST_PASSWORD)), /^OK/);
      assert.deepEqual((await client.command("LISTSCRIPTS")).slice(0, 1), ['"filters" ACTIVE']);
      assert.match(last(await client.command("LOGOUT")), /^OK/);
    } finally {
      client.close();
    }
    const scripts = await server.server.services.sieveScripts.list(
      (await server.server.services.store.accounts.findByAddress(USER))?.id as never,
    );
    assert.deepEqual(
      scripts.map((s) => [s.name, s.isActive]),
      [["filters", true]],
    );
  });

  it("authenticates with SCRAM-SHA-256: challenges and responses as strings, the server proven", async () => {
    const client = await SieveClient.connect(port);
    try {
      const greeting = await client.response();
      assert.ok(greeting.some((l) => /^"SASL" ".*SCRAM-SHA-256/.test(l)));
      const scram = scramClient(USER, TEST_PASSWORD);
      const b64 = (text: string) => Buffer.from(text).toString("base64");
      client.send(`AUTHENTICATE "SCRAM-SHA-256" "${b64(scram.first)}"\r\n`);
      const serverFirst = await client.line();
      const first = /^"([^"]*)"$/.exec(serverFirst)?.[1] ?? "";
      client.send(`"${b64(scram.final(Buffer.from(first, "base64").toString()))}"\r\n`);
      const serverFinal = await client.line();
      const final = /^"([^"]*)"$/.exec(serverFinal)?.[1] ?? "";
      assert.ok(scram.verifyServer(Buffer.from(final, "base64").toString()), "the server knew the keys");
      client.send('""\r\n');
      assert.match(last(await client.response()), /^OK/);
      assert.match(last(await client.command("LISTSCRIPTS")), /^OK/);
    } finally {
      client.close();
    }
  });

  it("refuses a literal larger than a script may be without reading it as commands", async () => {
    const client = await SieveClient.connect(port);
    try {
      await client.response();
      assert.match(last(await client.authenticate(USER, TEST_PASSWORD)), /^OK/);
      const size = server.server.services.config.sieve.maxScriptBytes + 1;
      const body = `${"LOGOUT\r\n".repeat(Math.ceil(size / 8))}`.slice(0, size);
      const reply = await client.command(`PUTSCRIPT "huge" {${size}+}\r\n${body}`);
      assert.match(last(reply), /^NO \(QUOTA\/MAXSIZE\)/);
      assert.equal(last(await client.command('NOOP "still-here"')), 'OK (TAG "still-here") "Done"');
    } finally {
      client.close();
    }
  });

  it("does not run a command pipelined after STARTTLS (the injection attack)", async () => {
    const client = await SieveClient.connect(port);
    try {
      await client.response();
      const plain = Buffer.from(`\0${USER}\0${TEST_PASSWORD}`).toString("base64");
      client.send(`STARTTLS\r\nAUTHENTICATE "PLAIN" "${plain}"\r\n`);
      assert.match(last(await client.response()), /^OK/);
      await client.startTls();
      await client.response();
      assert.match(last(await client.command("LISTSCRIPTS")), /^NO/, "the injected login did not happen");
    } finally {
      client.close();
    }
  });
});

// Interop with Python's poplib (plain, STLS, implicit TLS) and openssl s_client -starttls pop3: full
// sessions, CAPA, UIDL, TOP, RETR of dot-lines and of a multi-megabyte message, DELE/RSET/QUIT.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import {
  makeMessage,
  PASSWORD,
  type Pop3TestServer,
  startPop3TestServer,
} from "./helpers/pop3-test-server.js";

const CLIENT = new URL("../../test/helpers/pop3_poplib_client.py", import.meta.url).pathname;
const run = promisify(execFile);

let server: Pop3TestServer;
let cafile = "";
before(async () => {
  server = await startPop3TestServer();
  cafile = join(server.dataDir, "test-ca.pem");
  await writeFile(cafile, server.cert);
});
after(() => server.stop());

interface PoplibOutput {
  welcome: string;
  stls?: string;
  capa: Record<string, string[]>;
  login: string;
  results: unknown[];
}

async function poplib(
  mode: "plain" | "stls" | "ssl",
  user: string,
  actions: unknown[][],
  password = PASSWORD,
): Promise<PoplibOutput> {
  const port = mode === "ssl" ? server.tlsPort : server.plainPort;
  const spec = JSON.stringify({ port, mode, user, password, cafile, actions });
  const { stdout } = await run("python3", [CLIENT, spec], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as PoplibOutput;
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

test("poplib: a full session with STAT, LIST, UIDL, TOP, RETR, DELE, RSET, NOOP, QUIT", async () => {
  const address = "poplib1@example.test";
  const id = await server.addUser(address);
  const messages = [
    makeMessage("first"),
    makeMessage("dots", [".leading dot", "..two", ".", "after"]),
    makeMessage("third"),
  ];
  for (const message of messages) await server.deliver(id, message);
  const out = await poplib("plain", address, [
    ["stat"],
    ["list"],
    ["uidl"],
    ["top", 2, 1],
    ["retr", 2],
    ["retr", 3],
    ["dele", 1],
    ["rset"],
    ["dele", 3],
    ["noop"],
    ["quit"],
  ]);
  assert.equal(out.welcome, "+OK Postfach ready.");
  assert.ok("STLS" in out.capa && "UIDL" in out.capa && "TOP" in out.capa);
  assert.deepEqual(out.capa.SASL, ["SCRAM-SHA-256", "PLAIN", "LOGIN"]);
  assert.match(out.login, /^\+OK Logged in, 3 messages/);
  const [stat, list, uidl, top, retr2, retr3] = out.results as [
    number[],
    { lines: string[] },
    { lines: string[] },
    { text: string },
    { sha256: string; length: number },
    { sha256: string },
  ];
  assert.deepEqual(stat, [3, messages.reduce((n, m) => n + m.length, 0)]);
  assert.deepEqual(
    list.lines,
    messages.map((m, i) => `${i + 1} ${m.length}`),
  );
  assert.equal(uidl.lines.length, 3);
  assert.ok(top.text.endsWith("\r\n\r\n.leading dot\r\n"));
  assert.equal(retr2.sha256, sha256(messages[1] as string));
  assert.equal(retr2.length, (messages[1] as string).length);
  assert.equal(retr3.sha256, sha256(messages[2] as string));
  assert.match(out.results.at(-1) as string, /^\+OK Bye, 1 messages deleted/);
  const inbox = await server.services.mailboxes.require(id, "INBOX");
  assert.deepEqual(
    (await server.services.store.messages.listEntries(inbox.id)).map((e) => e.uid),
    [1, 2],
  );
});

test("poplib: a wrong password raises error_proto with -ERR [AUTH]", async () => {
  const address = "poplib2@example.test";
  await server.addUser(address);
  await assert.rejects(
    poplib("plain", address, [], "not the password"),
    /-ERR \[AUTH\] Authentication failed/,
  );
});

test("poplib: STLS upgrade, then login and RETR over TLS", async () => {
  const address = "poplib3@example.test";
  const id = await server.addUser(address);
  const message = makeMessage("over tls");
  await server.deliver(id, message);
  const out = await poplib("stls", address, [["retr", 1], ["quit"]]);
  assert.equal(out.stls, "+OK Begin TLS negotiation");
  assert.ok(!("STLS" in out.capa), "STLS is not offered once TLS is on");
  assert.equal((out.results[0] as { sha256: string }).sha256, sha256(message));
});

test("poplib: POP3_SSL on the implicit-TLS listener", async () => {
  const address = "poplib4@example.test";
  const id = await server.addUser(address);
  await server.deliver(id, makeMessage("implicit"));
  const out = await poplib("ssl", address, [["stat"], ["utf8"], ["quit"]]);
  assert.ok(!("STLS" in out.capa));
  assert.equal((out.results[0] as number[])[0], 1);
  assert.equal(out.results[1], "error: -ERR UTF8 is not allowed in the TRANSACTION state");
});

test("poplib: a message of several MB streams intact", async (t) => {
  const address = "poplib5@example.test";
  const id = await server.addUser(address);
  const lines: string[] = [];
  for (let i = 0; lines.length < 80_000; i++) {
    lines.push(
      i % 7 === 0 ? `.line ${i} starts with a dot ${"x".repeat(40)}` : `line ${i} ${"abcdefghij".repeat(6)}`,
    );
  }
  const message = makeMessage("big", lines);
  assert.ok(message.length > 5_000_000);
  await server.deliver(id, message);
  const started = performance.now();
  const out = await poplib("plain", address, [["retr", 1], ["quit"]]);
  const seconds = (performance.now() - started) / 1000;
  const retr = out.results[0] as { sha256: string; length: number; status: string };
  assert.equal(retr.status, `+OK ${message.length} octets`);
  assert.equal(retr.length, message.length);
  assert.equal(retr.sha256, sha256(message));
  t.diagnostic(`big RETR ${(message.length / 1e6).toFixed(1)} MB via poplib in ${seconds.toFixed(2)} s`);
});

test("openssl s_client -starttls pop3 upgrades and logs in", async (t) => {
  const address = "openssl@example.test";
  await server.addUser(address);
  const child = spawn(
    "openssl",
    [
      "s_client",
      "-starttls",
      "pop3",
      "-connect",
      `127.0.0.1:${server.plainPort}`,
      "-CAfile",
      cafile,
      "-quiet",
    ],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.setEncoding("latin1");
  child.stdout.on("data", (chunk: string) => {
    output += chunk;
  });
  const waitFor = async (pattern: RegExp) => {
    for (let i = 0; i < 300 && !pattern.test(output); i++) await new Promise((r) => setTimeout(r, 20));
    assert.match(output, pattern);
  };
  try {
    // s_client has read the greeting and the STLS reply itself; anything it prints comes over TLS.
    child.stdin.write(`CAPA\r\n`);
    await waitFor(/IMPLEMENTATION Postfach\r\n\.\r\n/);
    assert.doesNotMatch(output, /STLS/);
    child.stdin.write(`USER ${address}\r\nPASS ${PASSWORD}\r\nQUIT\r\n`);
    await waitFor(/\+OK Bye/);
    assert.match(output, /\+OK Logged in, 0 messages/);
  } catch (error) {
    if (output === "") t.skip("openssl s_client did not run");
    else throw error;
  } finally {
    child.kill();
  }
});

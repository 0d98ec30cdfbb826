// The STARTTLS command-injection attack (CVE-2011-0411): plaintext pipelined after STARTTLS must never
// be executed as if it had arrived over TLS.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type Logger, silentLogger } from "../kit/logger.js";
import { connectPlainClient, connectTlsClient, lineEchoProtocol } from "./line-client.testkit.js";
import { ListenerGroup } from "./listener-group.js";
import { createTlsContext, loadTlsMaterial, type TlsMaterial } from "./tls.js";

let dataDir = "";
let material: TlsMaterial;
before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "postfach-starttls-"));
  material = await loadTlsMaterial({ dataDir, hostname: "mail.test", log: silentLogger });
});
after(() => rm(dataDir, { recursive: true, force: true }));

function recordingLogger(records: Array<{ obj: object; msg?: string | undefined }>): Logger {
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (obj, msg) => records.push({ obj, msg }),
    error: () => {},
    child: () => logger,
  };
  return logger;
}

async function start(delayBeforeStartTlsMs: number | undefined, seen: string[], log: Logger) {
  const group = new ListenerGroup({
    log,
    secureContext: createTlsContext(material, "TLSv1.2"),
    maxConnections: 10,
    maxConnectionsPerIp: 10,
    idleTimeoutMs: 0,
  });
  group.add({
    proto: "test",
    address: "127.0.0.1:0",
    implicitTls: false,
    handler: lineEchoProtocol({
      seen,
      ...(delayBeforeStartTlsMs !== undefined && { delayBeforeStartTlsMs }),
    }),
  });
  const [bound] = await group.listen();
  return { group, port: bound?.port ?? 0 };
}

test("a command in the same packet as STARTTLS is dropped by the protocol's buffer discard", async () => {
  const seen: string[] = [];
  const { group, port } = await start(undefined, seen, silentLogger);
  const client = await connectPlainClient(port);
  await client.line();
  client.write("STARTTLS\r\nINJECTED\r\n");
  assert.equal(await client.line(), "OK begin TLS");
  const secure = await connectTlsClient({ socket: client.detach() }, material.cert);
  secure.write("after\r\n");
  assert.equal(await secure.line(), "ECHO after tls");
  assert.deepEqual(seen, ["STARTTLS", "after"]);
  await group.shutdown(500);
});

test("plaintext still in the socket buffer at startTls is discarded and logged, and TLS still works", async () => {
  const seen: string[] = [];
  const warnings: Array<{ obj: object; msg?: string | undefined }> = [];
  const { group, port } = await start(150, seen, recordingLogger(warnings));
  const client = await connectPlainClient(port);
  await client.line();
  client.write("STARTTLS\r\n");
  await new Promise((resolve) => setTimeout(resolve, 30));
  // Arrives while the protocol waits before its reply, so it sits in the socket's own buffer.
  client.write("INJECTED\r\n");
  assert.equal(await client.line(), "OK begin TLS");
  const secure = await connectTlsClient({ socket: client.detach() }, material.cert);
  secure.write("after\r\n");
  assert.equal(await secure.line(), "ECHO after tls");
  assert.deepEqual(seen, ["STARTTLS", "after"]);
  const discard = warnings.find((w) => w.msg?.includes("after STARTTLS"));
  assert.ok(discard, "the discard was logged");
  assert.equal((discard.obj as { discardedBytes: number }).discardedBytes, "INJECTED\r\n".length);
  await group.shutdown(500);
});

test("STARTTLS on an already secure connection is refused", async () => {
  const seen: string[] = [];
  const { group, port } = await start(undefined, seen, silentLogger);
  const client = await connectPlainClient(port);
  await client.line();
  client.write("STARTTLS\r\n");
  await client.line();
  const secure = await connectTlsClient({ socket: client.detach() }, material.cert);
  secure.write("STARTTLS\r\n");
  assert.equal(await secure.line(), "OK begin TLS");
  // startTls throws; the listener logs it and closes the connection.
  await secure.closed();
  await group.shutdown(500);
});

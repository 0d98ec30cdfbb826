import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { silentLogger } from "../kit/logger.js";
import type { Connection } from "./connection.js";
import { ConnectionClosedError } from "./connection-closed-error.js";
import { connectPlainClient, connectTlsClient, lineEchoProtocol } from "./line-client.testkit.js";
import { ListenerGroup, type ListenerGroupOptions, type ListenerSpec } from "./listener-group.js";
import { createTlsContext, loadTlsMaterial, type TlsMaterial } from "./tls.js";

let dataDir = "";
let material: TlsMaterial;
const groups: ListenerGroup[] = [];

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "postfach-net-"));
  material = await loadTlsMaterial({ dataDir, hostname: "mail.test", log: silentLogger });
});
after(async () => {
  await Promise.all(groups.map((group) => group.shutdown(100)));
  await rm(dataDir, { recursive: true, force: true });
});

async function startGroup(
  specs: Array<Partial<ListenerSpec> & Pick<ListenerSpec, "proto">>,
  options: Partial<ListenerGroupOptions> = {},
) {
  const group = new ListenerGroup({
    log: silentLogger,
    secureContext: createTlsContext(material, "TLSv1.2"),
    maxConnections: 100,
    maxConnectionsPerIp: 100,
    idleTimeoutMs: 0,
    ...options,
  });
  for (const spec of specs) {
    group.add({ address: "127.0.0.1:0", implicitTls: false, handler: lineEchoProtocol(), ...spec });
  }
  groups.push(group);
  const bound = await group.listen();
  return { group, ports: bound.map((listener) => listener.port), bound };
}

describe("accepting connections", () => {
  test("plain and implicit TLS listeners report their real ports and serve the protocol", async () => {
    const { ports, bound } = await startGroup([{ proto: "imap" }, { proto: "imaps", implicitTls: true }]);
    assert.equal(bound.length, 2);
    assert.ok(ports.every((port) => port > 0));
    assert.equal(bound[0]?.address, `127.0.0.1:${ports[0]}`);

    const plain = await connectPlainClient(ports[0] ?? 0);
    assert.equal(await plain.line(), "* HELLO imap plain");
    plain.write("a1 NOOP\r\n");
    assert.equal(await plain.line(), "ECHO a1 NOOP plain");
    plain.write("QUIT\r\n");
    assert.equal(await plain.line(), "* BYE");
    await plain.closed();

    const secure = await connectTlsClient({ port: ports[1] ?? 0 }, material.cert);
    assert.equal(await secure.line(), "* HELLO imaps tls");
    secure.write("x\r\n");
    assert.equal(await secure.line(), "ECHO x tls");
  });

  test("STARTTLS upgrades the connection in place", async () => {
    const { ports } = await startGroup([{ proto: "imap" }]);
    const plain = await connectPlainClient(ports[0] ?? 0);
    assert.equal(await plain.line(), "* HELLO imap plain");
    plain.write("STARTTLS\r\n");
    assert.equal(await plain.line(), "OK begin TLS");
    const secure = await connectTlsClient({ socket: plain.detach() }, material.cert);
    secure.write("who\r\n");
    assert.equal(await secure.line(), "ECHO who tls");
  });

  test("a second bind of the same address fails with a message naming it", async () => {
    const { ports } = await startGroup([{ proto: "imap" }]);
    const address = `127.0.0.1:${ports[0]}`;
    const group = new ListenerGroup({
      log: silentLogger,
      maxConnections: 1,
      maxConnectionsPerIp: 1,
      idleTimeoutMs: 0,
    });
    group.add({ proto: "imap", address, implicitTls: false, handler: async () => {} });
    await assert.rejects(group.listen(), (error: Error) => {
      assert.match(error.message, new RegExp(`cannot listen on ${address}: address already in use`));
      return true;
    });
  });

  test("a failing handler or a reset client does not crash the process", async () => {
    const { ports } = await startGroup([
      {
        proto: "boom",
        handler: async (conn) => {
          await conn.write("hi\r\n");
          throw new Error("handler bug");
        },
      },
      { proto: "echo" },
    ]);
    const client = await connectPlainClient(ports[0] ?? 0);
    assert.equal(await client.line(), "hi");
    await client.closed();
    const reset = await connectPlainClient(ports[1] ?? 0);
    await reset.line();
    reset.socket.resetAndDestroy();
    const again = await connectPlainClient(ports[1] ?? 0);
    assert.equal(await again.line(), "* HELLO echo plain");
  });
});

describe("connection limits", () => {
  test("without a reject hook, a connection over the per-IP limit is just closed", async () => {
    const { ports, group } = await startGroup([{ proto: "pop3" }], { maxConnectionsPerIp: 2 });
    const first = await connectPlainClient(ports[0] ?? 0);
    const second = await connectPlainClient(ports[0] ?? 0);
    await first.line();
    await second.line();
    assert.equal(group.connectionCount, 2);
    const third = await connectPlainClient(ports[0] ?? 0);
    await third.closed();
  });

  test("over the per-IP limit the protocol's reject hook answers; a freed slot is reused", async () => {
    const reasons: string[] = [];
    const { ports, group } = await startGroup(
      [
        {
          proto: "pop3",
          reject: async (conn, reason) => {
            reasons.push(reason);
            await conn.write("-ERR [SYS/TEMP] too many connections\r\n");
          },
        },
      ],
      { maxConnectionsPerIp: 1 },
    );
    const port = ports[0] ?? 0;
    const one = await connectPlainClient(port);
    assert.equal(await one.line(), "* HELLO pop3 plain");
    const refused = await connectPlainClient(port);
    assert.equal(await refused.line(), "-ERR [SYS/TEMP] too many connections");
    await refused.closed();
    assert.deepEqual(reasons, ["maxConnectionsPerIp"]);

    one.write("QUIT\r\n");
    await one.closed();
    await waitFor(() => group.connectionCount === 0);
    const later = await connectPlainClient(port);
    assert.equal(await later.line(), "* HELLO pop3 plain");
  });

  test("the total limit counts every listener of the group", async () => {
    const reasons: string[] = [];
    const reject = async (_conn: Connection, reason: string) => {
      reasons.push(reason);
    };
    const { ports } = await startGroup(
      [
        { proto: "a", reject },
        { proto: "b", reject },
      ],
      { maxConnections: 1 },
    );
    const a = await connectPlainClient(ports[0] ?? 0);
    await a.line();
    const b = await connectPlainClient(ports[1] ?? 0);
    await b.closed();
    assert.deepEqual(reasons, ["maxConnections"]);
  });
});

describe("idle timeout", () => {
  test("fires the idle hooks, aborts the signal with reason idle and closes", async () => {
    let reason: unknown;
    const { ports } = await startGroup(
      [
        {
          proto: "imap",
          handler: async (conn) => {
            const echo = lineEchoProtocol();
            await echo(conn);
            reason = conn.signal.reason;
          },
        },
      ],
      { idleTimeoutMs: 200 },
    );
    const client = await connectPlainClient(ports[0] ?? 0);
    await client.line();
    client.write("still here\r\n");
    await client.line();
    const started = Date.now();
    assert.equal(await client.line(), "* BYE idle");
    await client.closed();
    assert.ok(Date.now() - started >= 150);
    assert.ok(reason instanceof ConnectionClosedError);
    assert.equal(reason.reason, "idle");
  });
});

describe("graceful shutdown", () => {
  test("stops accepting, says goodbye on every connection and closes them all", async () => {
    const { group, ports } = await startGroup([{ proto: "imap" }, { proto: "imaps", implicitTls: true }]);
    const plain = await connectPlainClient(ports[0] ?? 0);
    const secure = await connectTlsClient({ port: ports[1] ?? 0 }, material.cert);
    await plain.line();
    await secure.line();
    await group.shutdown(2000);
    assert.equal(await plain.line(), "* BYE shutting down");
    assert.equal(await secure.line(), "* BYE shutting down");
    await plain.closed();
    await secure.closed();
    assert.equal(group.connectionCount, 0);
    await assert.rejects(
      new Promise((resolve, reject) =>
        connect(ports[0] ?? 0, "127.0.0.1")
          .once("connect", resolve)
          .once("error", reject),
      ),
      /ECONNREFUSED/,
    );
  });

  test("a handler that ignores the signal is cut off after the grace period", async () => {
    const { group, ports } = await startGroup([
      { proto: "stuck", handler: (conn) => conn.write("hi\r\n").then(() => new Promise(() => {})) },
    ]);
    const client = await connectPlainClient(ports[0] ?? 0);
    await client.line();
    const started = Date.now();
    await group.shutdown(200);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 190 && elapsed < 2000, `shutdown took ${elapsed} ms`);
    await client.closed();
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// HTTP transport limits of the JMAP listener, named after the attacks they stop: slow headers (slowloris)
// and slow bodies get 408, oversized headers 431, garbage 400, too many concurrent requests of one account
// the `limit` problem; a graceful shutdown lets a running request finish and closes idle keep-alives.
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { CORE, JmapTestClient } from "./helpers/jmap-client.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port }, () => resolve(socket));
    socket.on("error", reject);
  });
}

/** Everything the server sends until it closes the connection (or `ms` pass). */
function readUntilClose(socket: Socket, ms: number): Promise<{ text: string; isClosed: boolean }> {
  return new Promise((resolve) => {
    let text = "";
    const timer = setTimeout(() => resolve({ text, isClosed: false }), ms);
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ text, isClosed: true });
    });
  });
}

describe("JMAP HTTP transport limits", () => {
  let server: TestServer;
  let port: number;
  let alice: JmapTestClient;
  before(async () => {
    server = await startTestServer((config) => ({
      ...config,
      http: { ...config.http, requestTimeoutMs: 1500, maxConcurrentRequests: 2 },
    }));
    await server.addUser(ALICE);
    port = server.port("http");
    alice = new JmapTestClient(`http://127.0.0.1:${port}`, ALICE, TEST_PASSWORD);
  });
  after(() => server.stop());

  it("slowloris: headers that never finish get 408 and the connection closes", async () => {
    const socket = await open(port);
    socket.write("GET /.well-known/jmap HTTP/1.1\r\nHost: x\r\n");
    const drip = setInterval(() => socket.write("X-Drip: 1\r\n"), 200);
    const result = await readUntilClose(socket, 8000);
    clearInterval(drip);
    assert.ok(result.isClosed, "closed");
    assert.match(result.text, /^HTTP\/1\.1 408/);
  });

  it("a body that stops arriving is cut off", async () => {
    const socket = await open(port);
    socket.write(
      `POST /jmap/api HTTP/1.1\r\nHost: x\r\nAuthorization: ${alice.authorization}\r\nContent-Length: 1000\r\n\r\n{"using":`,
    );
    const result = await readUntilClose(socket, 8000);
    assert.ok(result.isClosed, "closed");
    assert.doesNotMatch(result.text, /^HTTP\/1\.1 200/);
  });

  it("oversized headers get 431, garbage gets 400, and the server keeps serving", async () => {
    const big = await open(port);
    big.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    assert.match((await readUntilClose(big, 5000)).text, /^HTTP\/1\.1 431/);
    const garbage = await open(port);
    garbage.write("\x16\x03\x01 this is not HTTP\r\n\r\n");
    assert.match((await readUntilClose(garbage, 5000)).text, /^HTTP\/1\.1 400/);
    const [echo] = await alice.call([["Core/echo", { still: "here" }, "e"]], [CORE]);
    assert.deepEqual(echo?.[1], { still: "here" });
  });

  it("more concurrent API requests than maxConcurrentRequests get the limit problem", async () => {
    // Two requests whose bodies are held back keep both slots busy.
    const held = await Promise.all([open(port), open(port)]);
    for (const socket of held) {
      socket.write(
        `POST /jmap/api HTTP/1.1\r\nHost: x\r\nAuthorization: ${alice.authorization}\r\nContent-Length: 100\r\n\r\n{`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const res = await alice.post(JSON.stringify({ using: [CORE], methodCalls: [] }));
    assert.equal(res.status, 400);
    const problem = (await res.json()) as Record<string, unknown>;
    assert.equal(problem.type, "urn:ietf:params:jmap:error:limit");
    assert.equal(problem.limit, "maxConcurrentRequests");
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await alice.post(JSON.stringify({ using: [CORE], methodCalls: [] }))).status, 200);
  });
});

describe("JMAP HTTP graceful shutdown", () => {
  it("closes idle keep-alive connections and lets a running request finish", async () => {
    const server = await startTestServer((config) => ({
      ...config,
      limits: { ...config.limits, shutdownGraceMs: 5000 },
    }));
    await server.addUser(ALICE);
    const port = server.port("http");
    const alice = new JmapTestClient(`http://127.0.0.1:${port}`, ALICE, TEST_PASSWORD);
    const idle = await open(port);
    idle.write(`GET /.well-known/jmap HTTP/1.1\r\nHost: x\r\nAuthorization: ${alice.authorization}\r\n\r\n`);
    const idleResult = readUntilClose(idle, 10_000);
    const busy = await open(port);
    const body = JSON.stringify({ using: [CORE], methodCalls: [["Core/echo", { done: true }, "e"]] });
    busy.write(
      `POST /jmap/api HTTP/1.1\r\nHost: x\r\nAuthorization: ${alice.authorization}\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    const busyResult = readUntilClose(busy, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stopping = server.stop();
    // The request's body arrives after shutdown began: it is still answered.
    await new Promise((resolve) => setTimeout(resolve, 50));
    busy.write(body);
    await stopping;
    const [idleDone, busyDone] = await Promise.all([idleResult, busyResult]);
    assert.ok(idleDone.isClosed && busyDone.isClosed);
    assert.match(idleDone.text, /^HTTP\/1\.1 200/);
    assert.match(busyDone.text, /^HTTP\/1\.1 200[\s\S]*"done":true/);
    assert.match(busyDone.text, /connection: close/i);
  });
});

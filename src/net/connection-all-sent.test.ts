// Connection.isAllSent: what a session checks before it reuses memory it wrote from (kit/reused-buffers.ts).
// Bytes a client has not read yet wait in the socket's queue; only once they have left is it true.
import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { test } from "node:test";
import { silentLogger } from "../kit/logger.js";
import { Connection } from "./connection.js";

test("isAllSent is false while written bytes wait for a client that does not read, true once they left", async () => {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  const accepted = once(server, "connection") as Promise<[Socket]>;
  const client = connect({ host: "127.0.0.1", port });
  client.pause();
  const [socket] = await accepted;
  const conn = new Connection({ proto: "test", socket, log: silentLogger });
  try {
    assert.equal(conn.isAllSent, true, "nothing written yet");
    const bytes = 16 * 1024 * 1024;
    const writing = conn.write(Buffer.alloc(bytes, 0x61));
    assert.equal(conn.isAllSent, false, "more than the kernel takes is still queued");
    let received = 0;
    client.on("data", (chunk: Buffer) => {
      received += chunk.length;
    });
    client.resume();
    await writing;
    assert.equal(conn.isAllSent, true, "the write completed: every byte left the process");
    while (received < bytes) await once(client, "data");
    assert.equal(received, bytes);
  } finally {
    client.destroy();
    await conn.close();
    server.close();
  }
});

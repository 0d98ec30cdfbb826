import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { constants, inflateRawSync } from "node:zlib";
import { DeflateCompression } from "./deflate-compression.js";

/** Inflates a prefix of one raw DEFLATE stream as the client would: everything flushed so far. */
const inflatePrefix = (bytes: Buffer): string =>
  inflateRawSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }).toString("latin1");

/** Compresses a few batches (headers, a long run, random bytes), checking each flushed prefix inflates. */
async function checkBatches(level: number): Promise<void> {
  const compression = new DeflateCompression(level);
  const sent: Buffer[] = [];
  const batches = [
    "* 1 EXISTS\r\n",
    "a1 OK done\r\n",
    "x".repeat(100_000),
    randomBytes(70_000).toString("latin1"),
  ];
  for (const [i, batch] of batches.entries()) {
    sent.push(await compression.compress(Buffer.from(batch, "latin1")));
    assert.equal(inflatePrefix(Buffer.concat(sent)), batches.slice(0, i + 1).join(""));
  }
  compression.destroy();
}

describe("DeflateCompression", () => {
  for (const level of [0, 3, 9]) {
    it(`flushes each batch so that everything sent so far inflates completely (level ${level})`, async () => {
      await checkBatches(level);
    });
  }

  it("keeps the order of concurrent batches", async () => {
    const compression = new DeflateCompression(6);
    const batches = Array.from({ length: 20 }, (_, i) => `* ${i} FETCH (FLAGS ())\r\n`.repeat(i * 50 + 1));
    const outputs = await Promise.all(batches.map((b) => compression.compress(b)));
    assert.equal(inflatePrefix(Buffer.concat(outputs)), batches.join(""));
    compression.destroy();
  });

  it("fails a batch still in the compressor when the connection goes away", async () => {
    const compression = new DeflateCompression(6);
    const pending = compression.compress("x".repeat(1_000_000));
    compression.destroy();
    await assert.rejects(pending);
    await assert.rejects(compression.compress("later"));
  });
});

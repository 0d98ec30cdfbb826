// Body literals: small pieces read ahead into memory, large ones streamed with their exact size, NUL as
// 0x80 outside BINARY, partials cut before reading.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BlobHash } from "../../kit/ids.js";
import type { LiteralContent } from "../wire/response.js";
import { type BlobRanges, rangeContent, SMALL_RANGE_BYTES, streamedRange } from "./body-content.js";

const BLOB = Buffer.alloc(SMALL_RANGE_BYTES * 3, 0x61);
BLOB[10] = 0;
BLOB[SMALL_RANGE_BYTES * 2] = 0;
const reads: [number, number][] = [];
const blobs: BlobRanges = {
  async *readRange(_hash, start, end) {
    reads.push([start, end]);
    for (let at = start; at < end; at += 4096) yield BLOB.subarray(at, Math.min(end, at + 4096));
  },
};
const HASH = "h" as BlobHash;

async function collect(content: LiteralContent): Promise<Buffer> {
  if (content.kind === "bytes") return Buffer.from(content.bytes);
  const chunks: Uint8Array[] = [];
  for await (const chunk of content.chunks) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe("rangeContent", () => {
  it("reads small pieces into memory with NUL as 0x80", async () => {
    const content = await rangeContent(blobs, HASH, 0, 100, null);
    assert.equal(content.kind, "bytes");
    const bytes = await collect(content);
    assert.equal(bytes.length, 100);
    assert.equal(bytes[10], 0x80);
  });

  it("streams large pieces with their exact size, reading only the partial's bytes", async () => {
    const whole = await rangeContent(blobs, HASH, 0, BLOB.length, null);
    assert.equal(whole.kind, "stream");
    assert.equal(whole.kind === "stream" && whole.size, BLOB.length);
    const bytes = await collect(whole);
    assert.equal(bytes.length, BLOB.length);
    assert.equal(bytes[SMALL_RANGE_BYTES * 2], 0x80);
    reads.length = 0;
    const partial = await rangeContent(blobs, HASH, 100, BLOB.length, { offset: 5, length: 100_000 });
    assert.equal(partial.kind === "stream" && partial.size, 100_000);
    assert.equal((await collect(partial)).length, 100_000);
    assert.deepEqual(reads, [[105, 100_105]]);
  });

  it("leaves NULs alone in BINARY streams and marks them literal8", async () => {
    const content = streamedRange(blobs, HASH, 0, BLOB.length, null, true);
    assert.equal(content.isBinary, true);
    assert.equal((await collect(content))[10], 0);
  });
});

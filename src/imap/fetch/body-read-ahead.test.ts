import assert from "node:assert/strict";
import { test } from "node:test";
import type { BlobHash } from "../../kit/ids.js";
import { MailError } from "../../kit/mail-error.js";
import { BufferPool, HeldBuffers } from "../../kit/reused-buffers.js";
import type { BlobRange, WholeBlob } from "../../store/mail-store.js";
import { BodyReadAhead, type BodyReads, type NeededBody } from "./body-read-ahead.js";

const hash = (n: number): BlobHash => n.toString(16).padStart(64, "0") as BlobHash;
const body = (n: number, size = 100): NeededBody => ({ blobHash: hash(n), size });

/**
 * A store of bodies `n` (filled with the byte n), some gone; records each call. With `buffers`, it copies
 * bodies into them (readWholeInto) as the SQLite store with the native copier does.
 */
function fakeReads(
  gone: ReadonlySet<number> = new Set(),
  buffers: HeldBuffers | null = null,
): BodyReads & { calls: string[] } {
  const calls: string[] = [];
  const bytesOf = (blobHash: BlobHash, size: number): Uint8Array => {
    const n = Number.parseInt(blobHash, 16);
    if (gone.has(n)) throw new MailError("nonexistent", "gone");
    return new Uint8Array(size).fill(n);
  };
  return {
    calls,
    readRangeNow(blobHash, start, end) {
      calls.push(`one ${Number.parseInt(blobHash, 16)}`);
      return bytesOf(blobHash, end - start);
    },
    readRangesNow(ranges: readonly BlobRange[]) {
      calls.push(`many ${ranges.map((r) => Number.parseInt(r.hash, 16)).join(",")}`);
      return ranges.map((r) => {
        try {
          return bytesOf(r.hash, r.end - r.start);
        } catch {
          return null;
        }
      });
    },
    heldBodyBuffers: () => buffers,
    readWholeInto(blobs: readonly WholeBlob[], target: Buffer) {
      calls.push(`into ${blobs.map((b) => Number.parseInt(b.hash, 16)).join(",")}`);
      let offset = 0;
      return blobs.map(({ hash, size }) => {
        const n = Number.parseInt(hash, 16);
        if (gone.has(n) || offset + size > target.byteLength) return null;
        const view = target.subarray(offset, offset + size).fill(n);
        offset += size;
        return view;
      });
    },
  };
}

test("the bodies needed next are read with the first in one store call", () => {
  const reads = fakeReads();
  const ahead = new BodyReadAhead();
  const next = [body(2), body(3), body(2), body(4)];
  assert.deepEqual(ahead.readNow(reads, body(1), () => next)?.[0], 1);
  for (const n of [2, 3, 4, 2]) assert.equal(ahead.readNow(reads, body(n), () => [])?.[0], n);
  assert.deepEqual(reads.calls, ["many 1,2,3,4"], "a repeated body is read once and kept");
});

test("a body not read ahead drops the rest and reads again", () => {
  const reads = fakeReads();
  const ahead = new BodyReadAhead();
  ahead.readNow(reads, body(1), () => [body(2)]);
  assert.equal(ahead.readNow(reads, body(5), () => [body(6)])?.[0], 5);
  assert.equal(ahead.readNow(reads, body(2), () => [])?.[0], 2);
  assert.deepEqual(reads.calls, ["many 1,2", "many 5,6", "one 2"]);
  ahead.clear();
  ahead.readNow(reads, body(6), () => []);
  assert.deepEqual(reads.calls.at(-1), "one 6", "nothing is kept after clear()");
});

test("read-ahead stops at the count and byte bounds; large bodies are read alone", () => {
  const reads = fakeReads();
  const ahead = new BodyReadAhead();
  let asked = 0;
  ahead.readNow(reads, body(1), (max) => {
    asked = max;
    return Array.from({ length: 100 }, (_, i) => body(i + 2));
  });
  assert.equal(asked, 31);
  assert.equal(reads.calls[0]?.split(",").length, 32);
  ahead.readNow(reads, body(200, 300 * 1024), () => [body(201)]);
  assert.equal(reads.calls.at(-1), "one 200");
  ahead.readNow(reads, body(300, 200 * 1024), () => [body(301, 200 * 1024), body(302, 200 * 1024)]);
  ahead.readNow(reads, body(400, 200 * 1024), () =>
    Array.from({ length: 9 }, (_, i) => body(401 + i, 200 * 1024)),
  );
  assert.equal(reads.calls.at(-1), "many 400,401,402,403,404", "at most 1 MiB in one go");
  ahead.readNow(reads, body(500), () => [body(501, 300 * 1024), body(502)]);
  assert.equal(reads.calls.at(-1), "one 500", "stops at a body too large to read ahead");
});

test("a body that is gone fails its own FETCH only", () => {
  const reads = fakeReads(new Set([2, 7]));
  const ahead = new BodyReadAhead();
  assert.equal(ahead.readNow(reads, body(1), () => [body(2), body(3)])?.[0], 1);
  assert.throws(() => ahead.readNow(reads, body(2), () => []), { code: "nonexistent" });
  assert.throws(() => ahead.readNow(reads, body(7), () => [body(8)]), { code: "nonexistent" });
  assert.deepEqual(reads.calls, ["many 1,2,3", "one 2", "many 7,8", "one 7"]);
});

test("a store that cannot read bodies at once is not asked to read ahead again", () => {
  const calls: string[] = [];
  const streaming: BodyReads = {
    readRangeNow: (blobHash) => {
      calls.push(`one ${Number.parseInt(blobHash, 16)}`);
      return null;
    },
    readRangesNow: (ranges) => {
      calls.push(`many ${ranges.length}`);
      return ranges.map(() => null);
    },
    heldBodyBuffers: () => null,
    readWholeInto: (blobs) => blobs.map(() => null),
  };
  const ahead = new BodyReadAhead();
  let asked = 0;
  const next = () => {
    asked++;
    return [body(2), body(3)];
  };
  assert.equal(ahead.readNow(streaming, body(1), next), null);
  assert.equal(ahead.readNow(streaming, body(2), next), null);
  assert.deepEqual(calls, ["many 3", "one 1", "one 2"]);
  assert.equal(asked, 1);
});

test("bodies are copied into the session's reused buffers, bounded by a buffer's size", () => {
  const pool = new BufferPool(1024, 4);
  const held = new HeldBuffers(pool, 2);
  const reads = fakeReads(new Set([3]), held);
  const ahead = new BodyReadAhead();
  const first = ahead.readNow(reads, body(1, 400), () => [body(2, 400), body(3, 100), body(4, 400), body(5)]);
  assert.equal(first?.[0], 1);
  assert.equal(first?.byteLength, 400);
  assert.deepEqual(reads.calls, ["into 1,2,3"], "the fourth would not fit the 1,024-byte buffer");
  assert.equal(ahead.readNow(reads, body(2, 400), () => [])?.[399], 2);
  assert.equal(held.heldCount, 1);
  ahead.releaseBuffers();
  assert.equal(held.heldCount, 1, "the buffer kept bodies are in stays held");
  // Body 3 was gone: its FETCH tries a buffer of its own, then reads it alone (and fails).
  assert.throws(() => ahead.readNow(reads, body(3, 100), () => []), { code: "nonexistent" });
  assert.deepEqual(reads.calls.slice(1), ["into 3", "one 3"]);
  assert.equal(held.heldCount, 2);
  ahead.readNow(reads, body(10), () => [body(11)]);
  assert.equal(reads.calls.at(-1), "many 10,11", "past the session's maximum it reads the allocating way");
  ahead.clear();
  ahead.releaseBuffers();
  assert.equal(held.heldCount, 0);
  assert.equal(pool.spareCount, 2, "released buffers go back to the pool");
  ahead.readNow(reads, body(12), () => []);
  assert.equal(pool.spareCount, 1, "and are taken from it again");
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { BufferPool, HeldBuffers } from "./reused-buffers.js";

test("a pool hands back the buffers it was given, up to its bound of spares", () => {
  const pool = new BufferPool(64, 2);
  const [a, b, c] = [pool.take(), pool.take(), pool.take()];
  assert.equal(a.byteLength, 64);
  for (const buffer of [a, b, c]) pool.give(buffer);
  assert.equal(pool.spareCount, 2, "the third is left to the garbage collector");
  const again = new Set([pool.take(), pool.take()]);
  assert.ok(again.has(a) && again.has(b), "reused, not allocated");
  assert.notEqual(pool.take(), c);
  pool.give(Buffer.alloc(32));
  assert.equal(pool.spareCount, 0, "a buffer of another size is not kept");
});

test("a session holds at most its maximum and gives back all but the one still in use", () => {
  const pool = new BufferPool(64, 8);
  const held = new HeldBuffers(pool, 3);
  const taken = [held.take(), held.take(), held.take()];
  assert.equal(held.take(), null, "past the maximum the caller allocates");
  const inUse = taken[1] as Buffer;
  held.releaseExcept(inUse);
  assert.equal(held.heldCount, 1);
  assert.equal(pool.spareCount, 2);
  assert.ok(held.take() !== null && held.take() !== null);
  assert.equal(held.take(), null);
  held.releaseExcept(null);
  assert.equal(held.heldCount, 0);
  assert.equal(pool.spareCount, 3);
});

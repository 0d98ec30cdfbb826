import assert from "node:assert/strict";
import { test } from "node:test";
import { asAccountId } from "../kit/ids.js";
import { InProcessMaildropLock } from "./maildrop-lock.js";

test("one holder per account; release is idempotent and lets the next one in", async () => {
  const lock = new InProcessMaildropLock();
  const alice = asAccountId(1);
  const first = await lock.tryAcquire(alice, "conn-a");
  assert.ok(first);
  assert.equal(await lock.tryAcquire(alice, "conn-b"), null);
  assert.ok(await lock.tryAcquire(asAccountId(2), "conn-b"), "other accounts are independent");
  first.release();
  const second = await lock.tryAcquire(alice, "conn-b");
  assert.equal(lock.ownerOf(alice), "conn-b");
  first.release();
  assert.equal(lock.ownerOf(alice), "conn-b", "a stale handle cannot release the new holder");
  second?.release();
  assert.equal(lock.ownerOf(alice), undefined);
});

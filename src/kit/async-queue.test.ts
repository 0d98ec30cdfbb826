import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AsyncQueue } from "./async-queue.js";

describe("AsyncQueue", () => {
  it("delivers pushed items in order and ends", async () => {
    const queue = new AsyncQueue<number>(2);
    const consumed = (async () => {
      const seen: number[] = [];
      for await (const item of queue) seen.push(item);
      return seen;
    })();
    for (let i = 0; i < 10; i++) await queue.push(i);
    queue.end();
    assert.deepEqual(await consumed, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("holds the producer back at the high-water mark", async () => {
    const queue = new AsyncQueue<number>(2);
    let pushed = 0;
    const producer = (async () => {
      for (let i = 0; i < 5; i++) {
        await queue.push(i);
        pushed++;
      }
    })();
    await new Promise((r) => setTimeout(r, 10));
    assert.ok(pushed < 5, `producer waits (${pushed} pushed)`);
    const iterator = queue[Symbol.asyncIterator]();
    for (let i = 0; i < 5; i++) assert.equal((await iterator.next()).value, i);
    await producer;
    assert.equal(pushed, 5);
  });

  it("passes a failure to the consumer after the queued items", async () => {
    const queue = new AsyncQueue<number>();
    await queue.push(1);
    queue.fail(new Error("socket closed"));
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const item of queue) seen.push(item);
    }, /socket closed/);
    assert.deepEqual(seen, [1]);
  });

  it("releases a waiting producer when the consumer stops early", async () => {
    const queue = new AsyncQueue<number>(1);
    const producer = queue.push(1).then(() => queue.push(2));
    for await (const _ of queue) break;
    await producer;
  });
});

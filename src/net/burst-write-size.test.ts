import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BurstWriteSize } from "./burst-write-size.js";

describe("BurstWriteSize", () => {
  it("starts at 64 KiB, doubles per write up to 1 MiB, and starts small again after a reset", () => {
    const size = new BurstWriteSize();
    assert.equal(size.isReached(64 * 1024 - 1), false);
    assert.equal(size.isReached(64 * 1024), true);
    for (let i = 0; i < 10; i++) size.grow();
    assert.equal(size.isReached(1024 * 1024 - 1), false);
    assert.equal(size.isReached(1024 * 1024), true);
    size.grow();
    assert.equal(size.isReached(1024 * 1024), true, "never above 1 MiB");
    size.reset();
    assert.equal(size.isReached(64 * 1024), true);
    size.grow();
    assert.equal(size.isReached(64 * 1024), false);
    assert.equal(size.isReached(128 * 1024), true);
  });
});

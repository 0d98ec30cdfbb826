import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CommandRate } from "./command-rate.js";

describe("CommandRate", () => {
  it("lets a burst through, then spaces commands at the rate", () => {
    let now = 0;
    const rate = new CommandRate(10, 3, () => now);
    assert.deepEqual([rate.take(), rate.take(), rate.take()], [0, 0, 0]);
    assert.equal(rate.take(), 100, "the fourth waits one interval");
    assert.equal(rate.take(), 200, "and the fifth two");
    now = 1000;
    assert.equal(rate.take(), 0, "a second later the budget has refilled");
  });

  it("gives a refunded token back, never beyond the burst", () => {
    const now = 0;
    const rate = new CommandRate(10, 2, () => now);
    for (let i = 0; i < 5; i++) {
      assert.equal(rate.take(), 0, "each refunded command leaves the budget as it was");
      rate.refund();
    }
    rate.refund();
    assert.deepEqual([rate.take(), rate.take(), rate.take()], [0, 0, 100], "still a burst of 2");
  });

  it("never waits when disabled", () => {
    const rate = new CommandRate(0);
    for (let i = 0; i < 1000; i++) assert.equal(rate.take(), 0);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LoginLimiter } from "./login-limiter.js";

const LIMITS = {
  maxFailures: 3,
  failureWindowMs: 1000,
  blockMs: 5000,
  failureDelayMs: 100,
  maxFailureDelayMs: 350,
};

describe("LoginLimiter", () => {
  it("grows the delay per failure up to the cap, then blocks the IP for blockMs", () => {
    let now = 0;
    const limiter = new LoginLimiter(LIMITS, () => now);
    assert.deepEqual(
      [1, 2, 3].map(() => limiter.recordFailure("ip1", "a")),
      [100, 200, 350],
    );
    assert.equal(limiter.isBlocked("ip1", "someone-else"), true);
    now += 5001;
    assert.equal(limiter.isBlocked("ip1", "a"), false);
  });

  it("forgets failures outside the window", () => {
    let now = 0;
    const limiter = new LoginLimiter(LIMITS, () => now);
    limiter.recordFailure("ip1", "a");
    limiter.recordFailure("ip1", "a");
    now += 1500;
    limiter.recordFailure("ip1", "a");
    assert.equal(limiter.isBlocked("ip1", "a"), false);
  });

  it("a distributed attack on one account never blocks it from a clean IP (soft delay only)", () => {
    const limiter = new LoginLimiter(LIMITS, () => 0);
    for (let i = 0; i < 10; i++) limiter.recordFailure(`attacker-${i}`, "victim");
    assert.equal(limiter.isBlocked("home", "victim"), false);
    assert.equal(limiter.recordFailure("home", "victim"), 350, "failures are still slowed");
  });

  it("a success clears its pair but not the IP's count", () => {
    const limiter = new LoginLimiter(LIMITS, () => 0);
    limiter.recordFailure("ip1", "a");
    limiter.recordFailure("ip1", "a");
    limiter.recordSuccess("ip1", "own-account");
    limiter.recordFailure("ip1", "b");
    assert.equal(limiter.isBlocked("ip1", "c"), true);
  });
});

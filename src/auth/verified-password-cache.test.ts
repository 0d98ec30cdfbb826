import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { VerifiedPasswordCache } from "./verified-password-cache.js";

describe("VerifiedPasswordCache", () => {
  it("answers only for the same password against the same stored hash within its lifetime", () => {
    let nowMs = 1_000;
    const cache = new VerifiedPasswordCache(60_000, 100, () => nowMs);
    cache.remember("a@example.test", "$scrypt$1", "secret");
    assert.equal(cache.has("a@example.test", "$scrypt$1", "secret"), true);
    assert.equal(cache.has("a@example.test", "$scrypt$1", "Secret"), false, "another password");
    assert.equal(cache.has("b@example.test", "$scrypt$1", "secret"), false, "another account");
    assert.equal(cache.has("a@example.test", "$scrypt$2", "secret"), false, "the password was changed");
    assert.equal(cache.has("a@example.test", "$scrypt$1", "secret"), false, "a changed hash drops the entry");
    cache.remember("a@example.test", "$scrypt$1", "secret");
    nowMs += 60_000;
    assert.equal(cache.has("a@example.test", "$scrypt$1", "secret"), false, "expired");
  });

  it("keeps at most its size, dropping the oldest, and nothing when disabled", () => {
    const cache = new VerifiedPasswordCache(60_000, 2);
    for (const name of ["a", "b", "c"]) cache.remember(`${name}@x.test`, "h", "pw");
    assert.equal(cache.has("a@x.test", "h", "pw"), false);
    assert.equal(cache.has("c@x.test", "h", "pw"), true);
    const disabled = new VerifiedPasswordCache(0);
    disabled.remember("a@x.test", "h", "pw");
    assert.equal(disabled.has("a@x.test", "h", "pw"), false);
  });
});

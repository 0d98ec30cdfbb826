import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newObjectId } from "./ids.js";

describe("newObjectId", () => {
  it("makes 21-character ids of the JMAP id alphabet with the kind prefix", () => {
    for (const prefix of ["M", "E", "T"] as const) {
      const id = newObjectId(prefix);
      assert.match(id, /^[MET][0-9a-z]{20}$/);
      assert.equal(id[0], prefix);
    }
  });

  it("sorts ids by creation time and keeps them distinct within one millisecond", () => {
    const earlier = newObjectId("E", Date.UTC(2026, 0, 1));
    const later = newObjectId("E", Date.UTC(2026, 0, 1) + 1);
    assert.ok(earlier < later);
    const sameMs = new Set(Array.from({ length: 1000 }, () => newObjectId("E", 1_800_000_000_000)));
    assert.equal(sameMs.size, 1000);
  });
});

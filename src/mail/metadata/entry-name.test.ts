import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isMailError } from "../../kit/mail-error.js";
import { entryNameError, formatEntryName, isWithinDepth, parseEntryName } from "./entry-name.js";

describe("metadata entry names (RFC 5464 §3.2)", () => {
  it("accepts /private and /shared names, lower-casing them", () => {
    assert.deepEqual(parseEntryName("/private/comment"), { scope: "private", path: "/comment" });
    assert.deepEqual(parseEntryName("/Shared/Vendor/ACME/Color"), {
      scope: "shared",
      path: "/vendor/acme/color",
    });
    assert.deepEqual(parseEntryName("/shared"), { scope: "shared", path: "" });
    assert.equal(formatEntryName(parseEntryName("/PRIVATE/a b")), "/private/a b");
  });

  it("refuses everything else with a reason", () => {
    for (const name of [
      "",
      "private/comment",
      "/privatex/comment",
      "/other/comment",
      "/shared//comment",
      "/shared/comment/",
      "/shared/",
      "/shared/a*",
      "/shared/a%",
      "/shared/caf\u00e9",
      "/shared/tab\there",
      "/shared/del\u007f",
      `/shared/${"x".repeat(1020)}`,
    ]) {
      assert.notEqual(entryNameError(name), null, name);
      assert.throws(
        () => parseEntryName(name),
        (error: unknown) => isMailError(error) && error.code === "invalidInput",
      );
    }
  });

  it("matches DEPTH 0, 1 and infinity", () => {
    assert.equal(isWithinDepth("/shared/a", "/shared/a", 0), true);
    assert.equal(isWithinDepth("/shared/a", "/shared/a/b", 0), false);
    assert.equal(isWithinDepth("/shared/a", "/shared/a/b", 1), true);
    assert.equal(isWithinDepth("/shared/a", "/shared/a/b/c", 1), false);
    assert.equal(isWithinDepth("/shared/a", "/shared/a/b/c", "infinity"), true);
    assert.equal(isWithinDepth("/shared/a", "/shared/ab", "infinity"), false);
    assert.equal(isWithinDepth("/shared", "/shared/x", 1), true);
  });
});

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import type { BlobHash } from "../../kit/ids.js";
import { forgetVerifiedBlobs, verifiedBlob } from "./blob-integrity.js";

const bytes = Buffer.from("Subject: integrity\r\n\r\nbody\r\n");
const hash = createHash("sha256").update(bytes).digest("hex") as BlobHash;
/** The same length as `bytes`, one bit flipped. */
const damaged = (): Buffer => {
  const copy = Buffer.from(bytes);
  copy[5] = (copy[5] ?? 0) ^ 1;
  return copy;
};

describe("verifiedBlob", () => {
  it("rejects damaged bytes with corrupted, whatever was verified before without a stamp", () => {
    forgetVerifiedBlobs();
    assert.equal(verifiedBlob(hash, bytes), bytes);
    assert.throws(() => verifiedBlob(hash, damaged()), { code: "corrupted" });
  });

  it("hashes a stamped copy once, and again when the stamp or the length differs", () => {
    forgetVerifiedBlobs();
    verifiedBlob(hash, bytes, "1:100");
    // The same copy (name, length, stamp) is trusted: what a process re-reading a message skips.
    assert.doesNotThrow(() => verifiedBlob(hash, damaged(), "1:100"));
    assert.throws(() => verifiedBlob(hash, damaged(), "1:200"), { code: "corrupted" }, "a rewritten file");
    assert.throws(() => verifiedBlob(hash, bytes.subarray(1), "1:100"), { code: "corrupted" }, "shortened");
    assert.throws(() => verifiedBlob(hash, damaged()), { code: "corrupted" }, "no stamp: always hashed");
  });

  it("hashes everything again after forgetVerifiedBlobs (postfach doctor)", () => {
    forgetVerifiedBlobs();
    verifiedBlob(hash, bytes, "row");
    forgetVerifiedBlobs();
    assert.throws(() => verifiedBlob(hash, damaged(), "row"), { code: "corrupted" });
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Utf8Builder } from "./utf8-builder.js";

describe("Utf8Builder", () => {
  it("encodes what it is given as Buffer.from would, across growth and takes", () => {
    const runs = fc.array(fc.array(fc.string({ unit: "binary", maxLength: 300 }), { maxLength: 40 }), {
      maxLength: 6,
    });
    fc.assert(
      fc.property(runs, fc.integer({ min: 0, max: 2048 }), (textRuns, capacity) => {
        const builder = new Utf8Builder(capacity);
        const taken: Uint8Array[] = [];
        for (const run of textRuns) {
          for (const text of run) builder.append(text);
          assert.equal(builder.byteLength, Buffer.byteLength(run.join("")));
          taken.push(builder.take());
          assert.equal(builder.byteLength, 0);
        }
        // Bytes taken earlier are still intact after later appends grew or reused the buffer.
        textRuns.forEach((run, i) => {
          assert.deepEqual(Buffer.from(taken[i] as Uint8Array), Buffer.from(run.join(""), "utf8"));
        });
      }),
    );
  });

  it("mixes encoded bytes and integers with text, as the text they stand for", () => {
    const piece = fc.oneof(
      fc.string({ unit: "binary", maxLength: 60 }).map((text) => ({ kind: "text" as const, text })),
      fc.uint8Array({ minLength: 0, maxLength: 80 }).map((bytes) => ({ kind: "bytes" as const, bytes })),
      fc.maxSafeNat().map((value) => ({ kind: "uint" as const, value })),
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 60 }),
        fc.integer({ min: 0, max: 300 }),
        (pieces, capacity) => {
          const builder = new Utf8Builder(capacity);
          const expected: Buffer[] = [];
          for (const p of pieces) {
            if (p.kind === "text") builder.append(p.text);
            else if (p.kind === "bytes") builder.appendBytes(p.bytes);
            else builder.appendUint(p.value);
            expected.push(
              p.kind === "text"
                ? Buffer.from(p.text, "utf8")
                : p.kind === "bytes"
                  ? Buffer.from(p.bytes)
                  : Buffer.from(String(p.value)),
            );
          }
          assert.deepEqual(Buffer.from(builder.take()), Buffer.concat(expected));
        },
      ),
    );
  });

  it("keeps a multi-byte character whole at the edge of its buffer", () => {
    const builder = new Utf8Builder(0);
    const ascii = "a".repeat(1023);
    builder.append(ascii);
    builder.append("ü日😀");
    assert.equal(Buffer.from(builder.take()).toString("utf8"), `${ascii}ü日😀`);
  });
});

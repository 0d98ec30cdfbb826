import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  formatSequenceSet,
  isInSequenceSet,
  iterateSequenceSet,
  parseSequenceSet,
  type SequenceSet,
  sequenceSetFromNumbers,
} from "./seqset.js";

describe("sequence sets", () => {
  it("parses ranges, normalizing their order and keeping * symbolic", () => {
    assert.deepEqual(parseSequenceSet("1:*,5,9:7,*:3"), {
      kind: "ranges",
      ranges: [
        { from: 1, to: "*" },
        { from: 5, to: 5 },
        { from: 7, to: 9 },
        { from: 3, to: "*" },
      ],
    });
    assert.deepEqual(parseSequenceSet("$"), { kind: "saved" });
    assert.equal(parseSequenceSet("$", false), null);
  });

  for (const bad of ["", "0", "1:", ":1", "1,,2", "01", "4294967296", "a", "1:2:3", "$,1"]) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(parseSequenceSet(bad), null));
  }

  it("format/parse round-trip", () => {
    const seq = fc.oneof(fc.integer({ min: 1, max: 0xffffffff }), fc.constant("*" as const));
    const set = fc.array(fc.tuple(seq, seq), { minLength: 1, maxLength: 8 }).map((pairs) => {
      const parsed = parseSequenceSet(pairs.map(([a, b]) => `${a}:${b}`).join(","));
      return parsed as SequenceSet;
    });
    fc.assert(fc.property(set, (s) => assert.deepEqual(parseSequenceSet(formatSequenceSet(s)), s)));
  });

  it("builds compact sets from numbers and expands them", () => {
    const set = sequenceSetFromNumbers([5, 1, 2, 3, 9, 3]);
    assert.equal(formatSequenceSet(set), "1:3,5,9");
    assert.deepEqual(
      [...iterateSequenceSet(parseSequenceSet("2:*") as SequenceSet & { kind: "ranges" }, 4)],
      [2, 3, 4],
    );
    assert.deepEqual(
      [...iterateSequenceSet(parseSequenceSet("*") as SequenceSet & { kind: "ranges" }, 0)],
      [],
    );
  });

  it("tells membership as iteration would, * standing for the largest number", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 1, max: 40 }),
            fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constant("*" as const)),
          ),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        fc.integer({ min: 1, max: 45 }),
        fc.integer({ min: 1, max: 50 }),
        (pairs, largest, n) => {
          const text = pairs.map(([a, b]) => `${a}:${b}`).join(",");
          const set = parseSequenceSet(text, false) as SequenceSet & { kind: "ranges" };
          const members = new Set(iterateSequenceSet(set, largest));
          assert.equal(isInSequenceSet(set, n, largest), members.has(n), `${n} in ${text} (* = ${largest})`);
        },
      ),
    );
  });
});

// RFC 5231 relational tests (:count, :value) with the i;ascii-numeric comparator (RFC 4790 §9.1): the
// examples of §6, and the numeric comparator's rules (leading digits, no digits is "infinity").

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareValues } from "./match.js";
import { actionsOf, messageText, summarize } from "./sieve.testkit.js";

const MESSAGE = messageText([
  "received: from z.example.invalid by y.example.invalid; Tue, 1 Apr 1997 09:06:31 -0800",
  "received: from x.example.invalid by z.example.invalid; Tue, 1 Apr 1997 09:05:31 -0800",
  "subject: example",
  "to: foo@example.com.invalid, baz@example.com.invalid",
  "cc: qux@example.com.invalid",
  "x-priority: 1",
]);

async function holds(test: string): Promise<boolean> {
  const script = `require ["relational", "comparator-i;ascii-numeric"];\nif ${test} { discard; }`;
  return summarize(await actionsOf(script, { text: MESSAGE }))[0] === "discard";
}

describe("RFC 5231 §6 examples", () => {
  const cases: [string, boolean][] = [
    ['address :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] ["3"]', true],
    [
      'anyof ( address :count "ge" :comparator "i;ascii-numeric" ["to"] ["3"], address :count "ge" :comparator "i;ascii-numeric" ["cc"] ["3"] )',
      false,
    ],
    ['header :count "ge" :comparator "i;ascii-numeric" ["received"] ["3"]', false],
    ['header :count "ge" :comparator "i;ascii-numeric" ["received", "subject"] ["3"]', true],
    ['header :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] ["3"]', false],
    ['header :value "lt" :comparator "i;ascii-numeric" ["x-priority"] ["3"]', true],
    ['header :value "gt" :comparator "i;ascii-numeric" ["x-priority"] ["3"]', false],
    ['header :count "eq" :comparator "i;ascii-numeric" "x-missing" "0"', true],
    ['header :value "gt" "subject" "a"', true],
    ['header :value "lt" "subject" "EXAMPLE"', false],
    ['header :value "ne" "subject" ["example", "other"]', true],
  ];
  for (const [test, expected] of cases) {
    it(test, async () => {
      assert.equal(await holds(test), expected);
    });
  }
});

describe("i;ascii-casemap ordering (RFC 4790 §9.2)", () => {
  it("orders after mapping a-z to A-Z", () => {
    assert.equal(compareValues("i;ascii-casemap", "_", "a") > 0, true);
    assert.equal(compareValues("i;octet", "_", "a") < 0, true);
    assert.equal(compareValues("i;ascii-casemap", "abc", "ABC"), 0);
    assert.equal(compareValues("i;ascii-casemap", "é", "É") !== 0, true);
  });
});

describe("i;ascii-numeric (RFC 4790 §9.1)", () => {
  it("compares leading digits as numbers of any size; no digits sorts last", () => {
    assert.equal(compareValues("i;ascii-numeric", "10", "9") > 0, true);
    assert.equal(compareValues("i;ascii-numeric", "007", "7"), 0);
    assert.equal(compareValues("i;ascii-numeric", "12abc", "12"), 0);
    assert.equal(
      compareValues("i;ascii-numeric", "99999999999999999999999", "99999999999999999999998") > 0,
      true,
    );
    assert.equal(compareValues("i;ascii-numeric", "abc", "999") > 0, true);
    assert.equal(compareValues("i;ascii-numeric", "abc", "xyz"), 0);
  });
});

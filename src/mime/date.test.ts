import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDate } from "./date.js";

describe("parseDate (RFC 5322 §3.3, §4.3)", () => {
  it("parses the standard form with numeric zones", () => {
    assert.equal(parseDate("Tue, 14 May 2024 09:12:31 +0200"), Date.UTC(2024, 4, 14, 7, 12, 31));
    assert.equal(parseDate("1 Jan 2024 00:00:00 -0130"), Date.UTC(2024, 0, 1, 1, 30, 0));
  });

  it("parses obsolete forms: two-digit years, named zones, no seconds, comments", () => {
    assert.equal(parseDate("9 Sep 24 01:02 EST"), Date.UTC(2024, 8, 9, 6, 2, 0));
    assert.equal(parseDate("Mon, 9 Sep 99 01:02:03 GMT"), Date.UTC(1999, 8, 9, 1, 2, 3));
    assert.equal(parseDate("Wed, 11 Sep 2024 11:11:11 +0000 (UTC)"), Date.UTC(2024, 8, 11, 11, 11, 11));
    assert.equal(parseDate("Thu,  5 Sep 2024 12:00:00 PDT"), Date.UTC(2024, 8, 5, 19, 0, 0));
    assert.equal(parseDate("5 September 2024 12:00:00 Z"), Date.UTC(2024, 8, 5, 12, 0, 0));
  });

  it("returns null for nonsense and never throws", () => {
    for (const junk of ["", "yesterday", "32 Jan 2024 00:00:00", "1 Foo 2024 10:00", "\0\xff"]) {
      assert.equal(parseDate(junk), null, junk);
    }
  });
});

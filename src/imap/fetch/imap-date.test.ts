import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { formatDateTime } from "../wire/format-command.js";
import { toImapDateTime, utcDateTimeFormatter } from "./imap-date.js";

describe("utcDateTimeFormatter", () => {
  it("formats every instant as formatDateTime does, days before 1970 and after 9999 included", () => {
    const format = utcDateTimeFormatter();
    // From year -2000 to 12000: negative epochs floor to the day before, five-digit years stay whole.
    const instant = fc.integer({ min: -125_000_000_000_000, max: 316_000_000_000_000 });
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 20 }), (instants) => {
        for (const ms of instants) assert.equal(format(ms), formatDateTime(toImapDateTime(ms)));
      }),
    );
  });

  it("gives each second of one day its own time", () => {
    const format = utcDateTimeFormatter();
    const midnight = Date.UTC(2026, 10, 27);
    assert.equal(format(midnight), "27-Nov-2026 00:00:00 +0000");
    assert.equal(format(midnight + 86_399_999), "27-Nov-2026 23:59:59 +0000");
    assert.equal(format(midnight - 1), "26-Nov-2026 23:59:59 +0000");
  });
});

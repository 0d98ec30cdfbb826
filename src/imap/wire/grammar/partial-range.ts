// RFC 9394 §4 `partial-range` (SEARCH/SORT `RETURN (PARTIAL …)` and the FETCH PARTIAL modifier):
// `first:last` counts from the first result, `-first:-last` from the last; either order means the same.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { PartialRange } from "../command.js";

export function parsePartialRange(c: ArgumentCursor): PartialRange {
  const isFromEnd = c.skipByte(0x2d);
  const a = c.nzNumber();
  c.expectByte(0x3a, ":");
  if (c.skipByte(0x2d) !== isFromEnd) c.fail("Both ends of a PARTIAL range must have the same sign");
  const b = c.nzNumber();
  const low = Math.min(a, b);
  const high = Math.max(a, b);
  return isFromEnd ? { first: -low, last: -high } : { first: low, last: high };
}

/** `1:100` or `-1:-100`, as the server echoes it in `PARTIAL (range set)`. */
export function formatPartialRange(range: PartialRange): string {
  return `${range.first}:${range.last}`;
}

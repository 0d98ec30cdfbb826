// RFC 9394 §3: the window of an ordered result that a PARTIAL range names — positions counted from the
// first result, or from the last when negative; what lies outside the result is simply absent.
import type { PartialRange } from "../wire/command.js";

/** The items at the range's positions, in their given order (SEARCH: ascending; SORT: sort order). */
export function selectPartial<T>(items: readonly T[], range: PartialRange): T[] {
  if (range.first > 0) return items.slice(range.first - 1, range.last);
  const n = items.length;
  // -1 is the last item; -first..-last (|first| <= |last|) runs back from the end.
  const start = Math.max(0, n + range.last);
  const end = Math.max(0, n + range.first + 1);
  return items.slice(start, end);
}

// SEARCH and UID SEARCH (RFC 9051 §6.4.4) with ESEARCH RETURN options (RFC 4731 §3.1), SAVE
// (RFC 5182 §2.1), CONTEXT/UPDATE (RFC 5267 §4.1) and PARTIAL (RFC 9394 §3.1):
// `SEARCH [RETURN (…)] [CHARSET x] key …`.

import { decodeCharset, isKnownCharset } from "../../../mime/charset.js";
import type { ArgumentCursor } from "../argument-cursor.js";
import {
  type ImapCommand,
  type PartialRange,
  SEARCH_RETURN_OPTIONS,
  type SearchReturnOption,
} from "../command.js";
import { parseSearchCriteria } from "../search-key.js";
import { parsePartialRange } from "./partial-range.js";

/**
 * `RETURN (option …)` after the caller consumed RETURN and a space: the plain options in canonical order
 * and PARTIAL's range. RFC 9394 §3.1: PARTIAL and ALL exclude each other (BAD).
 */
export function parseReturnOptions<O extends string>(
  c: ArgumentCursor,
  allowed: readonly O[],
): { returns: O[]; partial: PartialRange | null } {
  const seen = new Set<string>();
  let partial: PartialRange | null = null;
  c.list(() => {
    const option = c.keyword();
    if (option === "PARTIAL") {
      if (partial !== null) c.fail("PARTIAL given twice");
      c.expectSpace();
      partial = parsePartialRange(c);
      return;
    }
    if (!(allowed as readonly string[]).includes(option)) c.fail(`Unknown RETURN option ${option}`);
    seen.add(option);
  });
  if (partial !== null && seen.has("ALL")) c.fail("RETURN PARTIAL and ALL exclude each other");
  return { returns: allowed.filter((o) => seen.has(o)), partial };
}

export function parseSearch(c: ArgumentCursor, tag: string, uid: boolean): ImapCommand {
  c.expectSpace();
  let returns: SearchReturnOption[] | null = null;
  let partial: PartialRange | null = null;
  let charset: string | null = null;
  if (c.tryKeyword("RETURN")) {
    c.expectSpace();
    ({ returns, partial } = parseReturnOptions(c, SEARCH_RETURN_OPTIONS));
    c.expectSpace();
  }
  if (c.tryKeyword("CHARSET")) {
    c.expectSpace();
    charset = c.astring().toUpperCase();
    c.expectSpace();
    // Strings in a legacy charset (ISO-8859-1, KOI8-R, Shift_JIS…) are decoded from it; a charset the
    // server does not know stays UTF-8 here and the command answers NO [BADCHARSET].
    const named = charset;
    if (isKnownCharset(named)) c.decodeText = (bytes) => decodeCharset(bytes, named);
  }
  const criteria = parseSearchCriteria(c);
  return { tag, name: "search", uid, charset, returns, partial, criteria };
}

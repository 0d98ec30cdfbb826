// SEARCH and UID SEARCH (RFC 9051 §6.4.4) with ESEARCH RETURN options (RFC 4731 §3.1) and SAVE
// (RFC 5182 §2.1): `SEARCH [RETURN (…)] [CHARSET x] key …`.

import { decodeCharset, isKnownCharset } from "../../../mime/charset.js";
import type { ArgumentCursor } from "../argument-cursor.js";
import { type ImapCommand, SEARCH_RETURN_OPTIONS, type SearchReturnOption } from "../command.js";
import { parseSearchCriteria } from "../search-key.js";

export function parseSearch(c: ArgumentCursor, tag: string, uid: boolean): ImapCommand {
  c.expectSpace();
  let returns: SearchReturnOption[] | null = null;
  let charset: string | null = null;
  if (c.tryKeyword("RETURN")) {
    c.expectSpace();
    const seen = new Set<string>();
    c.list(() => {
      const option = c.keyword();
      if (!(SEARCH_RETURN_OPTIONS as readonly string[]).includes(option))
        c.fail(`Unknown RETURN option ${option}`);
      seen.add(option);
    });
    returns = SEARCH_RETURN_OPTIONS.filter((o) => seen.has(o));
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
  return { tag, name: "search", uid, charset, returns, criteria };
}

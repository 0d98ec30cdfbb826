// ESEARCH (RFC 7377 §2, §4 MULTISEARCH): `ESEARCH [IN (source-mbox [(scope-options)])] [RETURN (…)]
// [CHARSET x] key …`. The sources are RFC 5465's mailbox specifiers plus `subtree-one`; no scope
// options are defined, so any is BAD. The RETURN options are SEARCH's.

import { decodeCharset, isKnownCharset } from "../../../mime/charset.js";
import type { ArgumentCursor } from "../argument-cursor.js";
import {
  type ImapCommand,
  type PartialRange,
  SEARCH_RETURN_OPTIONS,
  type SearchReturnOption,
  type SearchSource,
} from "../command.js";
import { parseSearchCriteria } from "../search-key.js";
import { parseSearchSource } from "./filter-mailboxes.js";
import { parseReturnOptions } from "./search.js";

export function parseEsearch(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  let sources: SearchSource[] | null = null;
  if (c.tryKeyword("IN")) {
    c.expectSpace();
    const found: SearchSource[] = [];
    c.openList();
    found.push(parseSearchSource(c, "ESEARCH source"));
    while (c.skipSpace()) {
      if (c.isListStart()) c.fail("No scope options are supported");
      found.push(parseSearchSource(c, "ESEARCH source"));
    }
    c.closeList();
    sources = found;
    c.expectSpace();
  }
  let returns: SearchReturnOption[] | null = null;
  let partial: PartialRange | null = null;
  if (c.tryKeyword("RETURN")) {
    c.expectSpace();
    ({ returns, partial } = parseReturnOptions(c, SEARCH_RETURN_OPTIONS));
    c.expectSpace();
  }
  let charset: string | null = null;
  if (c.tryKeyword("CHARSET")) {
    c.expectSpace();
    charset = c.astring().toUpperCase();
    c.expectSpace();
    const named = charset;
    if (isKnownCharset(named)) c.decodeText = (bytes) => decodeCharset(bytes, named);
  }
  const criteria = parseSearchCriteria(c);
  return { tag, name: "esearch", sources, returns, partial, charset, criteria };
}

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
import { parseReturnOptions } from "./search.js";

function parseMailboxes(c: ArgumentCursor): string[] {
  c.expectSpace();
  const names: string[] = [];
  if (c.isListStart()) c.list(() => names.push(c.mailbox()), false);
  else names.push(c.mailbox());
  return names;
}

function parseSource(c: ArgumentCursor): SearchSource {
  const name = c.keyword();
  switch (name) {
    case "SELECTED":
      return { kind: "selected" };
    case "SELECTED-DELAYED":
      return { kind: "selected-delayed" };
    case "INBOXES":
      return { kind: "inboxes" };
    case "PERSONAL":
      return { kind: "personal" };
    case "SUBSCRIBED":
      return { kind: "subscribed" };
    case "SUBTREE":
      return { kind: "subtree", mailboxes: parseMailboxes(c) };
    case "SUBTREE-ONE":
      return { kind: "subtree-one", mailboxes: parseMailboxes(c) };
    case "MAILBOXES":
      return { kind: "mailboxes", mailboxes: parseMailboxes(c) };
    default:
      return c.fail(`Unknown ESEARCH source ${name.slice(0, 32)}`);
  }
}

export function parseEsearch(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  let sources: SearchSource[] | null = null;
  if (c.tryKeyword("IN")) {
    c.expectSpace();
    const found: SearchSource[] = [];
    c.openList();
    found.push(parseSource(c));
    while (c.skipSpace()) {
      if (c.isListStart()) c.fail("No scope options are supported");
      found.push(parseSource(c));
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

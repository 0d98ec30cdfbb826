// LIST (RFC 9051 §6.3.9) with LIST-EXTENDED selection and return options (RFC 5258 §3), SPECIAL-USE
// (RFC 6154 §4), LIST-STATUS (RFC 5819 §2) and LIST-METADATA (RFC 9590 §3: `METADATA [options] entries`,
// options and entries as GETMETADATA's; an options list is told apart by its first word).

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand, ListMetadataReturn, ListReturn, ListSelection, StatusItem } from "../command.js";
import { DEFAULT_METADATA_OPTIONS, parseMetadataEntries, parseMetadataOptions } from "./getmetadata.js";
import { parseStatusItems } from "./status.js";

export function parseList(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  const selection = { subscribed: false, remote: false, recursiveMatch: false, specialUse: false };
  if (c.isListStart()) {
    c.list(() => {
      const option = c.keyword();
      if (option === "SUBSCRIBED") selection.subscribed = true;
      else if (option === "REMOTE") selection.remote = true;
      else if (option === "RECURSIVEMATCH") selection.recursiveMatch = true;
      else if (option === "SPECIAL-USE") selection.specialUse = true;
      else c.fail(`Unknown LIST selection option ${option}`);
    });
    c.expectSpace();
    // RFC 5258 §3.1: RECURSIVEMATCH alone says nothing about what to match.
    if (selection.recursiveMatch && !selection.subscribed && !selection.specialUse) {
      c.fail("RECURSIVEMATCH needs another selection option");
    }
  }
  const reference = c.mailbox();
  c.expectSpace();
  const patterns: string[] = [];
  if (c.isListStart()) c.list(() => patterns.push(c.listMailbox()), false);
  else patterns.push(c.listMailbox());
  const returns = {
    subscribed: false,
    children: false,
    specialUse: false,
    status: null as StatusItem[] | null,
    metadata: null as ListMetadataReturn | null,
  };
  if (c.skipSpace()) {
    c.expectKeyword("RETURN");
    c.expectSpace();
    c.list(() => {
      const option = c.keyword();
      if (option === "SUBSCRIBED") returns.subscribed = true;
      else if (option === "CHILDREN") returns.children = true;
      else if (option === "SPECIAL-USE") returns.specialUse = true;
      else if (option === "STATUS") {
        c.expectSpace();
        returns.status = parseStatusItems(c);
      } else if (option === "METADATA") {
        c.expectSpace();
        returns.metadata = parseListMetadata(c);
      } else c.fail(`Unknown LIST return option ${option}`);
    });
  }
  c.expectEnd();
  return {
    tag,
    name: "list",
    reference,
    patterns,
    selection: selection satisfies ListSelection,
    returns: returns satisfies ListReturn,
  };
}

function parseListMetadata(c: ArgumentCursor): ListMetadataReturn {
  let options = DEFAULT_METADATA_OPTIONS;
  if (c.isListStart() && isOptionsList(c)) {
    options = parseMetadataOptions(c);
    c.expectSpace();
  }
  return { entries: parseMetadataEntries(c), options };
}

/** `(MAXSIZE …` or `(DEPTH …` starts options; entries start with "/" or a string. */
function isOptionsList(c: ArgumentCursor): boolean {
  const word = String.fromCharCode(...[1, 2, 3, 4, 5, 6, 7, 8].map((k) => Math.max(c.peek(k), 0)));
  return /^(MAXSIZE|DEPTH) /i.test(word);
}

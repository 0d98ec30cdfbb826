// GETMETADATA (RFC 5464 §4.2 and §5): `GETMETADATA [SP "(" option *(SP option) ")"] SP mailbox SP entries`,
// option = `MAXSIZE number` / `DEPTH ("0" / "1" / "infinity")`, entries = entry / "(" entry *(SP entry) ")",
// entry = astring. Whether an entry name is valid is the handler's business (RFC 5464 §3.2, a BAD too).

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand, MetadataDepthOption, MetadataOptions } from "../command.js";

export function parseGetMetadata(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  const options = c.isListStart() ? parseMetadataOptions(c) : DEFAULT_METADATA_OPTIONS;
  if (options !== DEFAULT_METADATA_OPTIONS) c.expectSpace();
  const mailbox = c.mailbox();
  c.expectSpace();
  const entries = parseMetadataEntries(c);
  c.expectEnd();
  return { tag, name: "getmetadata", mailbox, options, entries };
}

export const DEFAULT_METADATA_OPTIONS: MetadataOptions = { maxSize: null, depth: 0 };

/** `"(" option *(SP option) ")"`; a repeated option takes its last value. */
export function parseMetadataOptions(c: ArgumentCursor): MetadataOptions {
  let maxSize: number | null = null;
  let depth: MetadataDepthOption = 0;
  c.list(() => {
    const option = c.keyword();
    c.expectSpace();
    if (option === "MAXSIZE") maxSize = c.number();
    else if (option === "DEPTH") depth = parseDepth(c);
    else c.fail(`Unknown GETMETADATA option ${option.slice(0, 32)}`);
  }, false);
  return { maxSize, depth };
}

function parseDepth(c: ArgumentCursor): MetadataDepthOption {
  const value = c.keyword();
  if (value === "0") return 0;
  if (value === "1") return 1;
  if (value === "INFINITY") return "infinity";
  return c.fail('DEPTH must be 0, 1 or "infinity"');
}

/** One entry name, or a parenthesized non-empty list of them. */
export function parseMetadataEntries(c: ArgumentCursor): string[] {
  const entries: string[] = [];
  if (c.isListStart()) c.list(() => entries.push(c.astring()), false);
  else entries.push(c.astring());
  return entries;
}

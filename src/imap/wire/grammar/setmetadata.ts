// SETMETADATA (RFC 5464 §4.3 and §5): `SETMETADATA SP mailbox SP "(" entry SP value *(SP entry SP value) ")"`,
// value = nstring / literal8 (any bytes, NUL included when sent as literal8); NIL removes the entry.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand, MetadataEntryArgument } from "../command.js";

export function parseSetMetadata(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  const mailbox = c.mailbox();
  c.expectSpace();
  const entries: MetadataEntryArgument[] = [];
  c.list(() => {
    const entry = c.astring();
    c.expectSpace();
    // A copy: the value outlives the reader's buffer it was read from.
    const value = c.tryKeyword("NIL") ? null : Uint8Array.from(c.stringBytes(true));
    entries.push({ entry, value });
  }, false);
  c.expectEnd();
  return { tag, name: "setmetadata", mailbox, entries };
}

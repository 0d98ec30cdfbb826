// CANCELUPDATE (RFC 5267 §4.2): `CANCELUPDATE "tag" *(SP "tag")` ends the updates of live searches.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseCancelUpdate(c: ArgumentCursor, tag: string): ImapCommand {
  const tags: string[] = [];
  do {
    c.expectSpace();
    tags.push(c.string());
  } while (!c.isAtEnd());
  c.expectEnd();
  return { tag, name: "cancelupdate", tags };
}

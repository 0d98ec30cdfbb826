// RENAME (RFC 9051 §6.3.6): `RENAME existing new`.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseRename(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  const from = c.mailbox();
  c.expectSpace();
  const to = c.mailbox();
  c.expectEnd();
  return { tag, name: "rename", from, to };
}

// DELETE (RFC 9051 §6.3.5): `DELETE mailbox`.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseDelete(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  const mailbox = c.mailbox();
  c.expectEnd();
  return { tag, name: "delete", mailbox };
}

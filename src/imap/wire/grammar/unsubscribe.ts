// UNSUBSCRIBE (RFC 9051 §6.3.8): `UNSUBSCRIBE mailbox`.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseUnsubscribe(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  const mailbox = c.mailbox();
  c.expectEnd();
  return { tag, name: "unsubscribe", mailbox };
}

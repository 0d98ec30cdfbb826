// SUBSCRIBE (RFC 9051 §6.3.7): `SUBSCRIBE mailbox`.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseSubscribe(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  const mailbox = c.mailbox();
  c.expectEnd();
  return { tag, name: "subscribe", mailbox };
}

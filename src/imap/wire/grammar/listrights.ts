// LISTRIGHTS (RFC 4314 §3.4, §7): `LISTRIGHTS mailbox SP identifier`.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseListRights(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  const mailbox = c.mailbox();
  c.expectSpace();
  const identifier = c.astring();
  c.expectEnd();
  return { tag, name: "listrights", mailbox, identifier };
}

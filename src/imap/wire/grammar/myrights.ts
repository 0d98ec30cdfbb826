// MYRIGHTS (RFC 4314 §3.5, §7): `MYRIGHTS mailbox`.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseMyRights(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  const mailbox = c.mailbox();
  c.expectEnd();
  return { tag, name: "myrights", mailbox };
}

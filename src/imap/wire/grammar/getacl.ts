// GETACL (RFC 4314 §3.3, §7): `GETACL mailbox`.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseGetAcl(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  const mailbox = c.mailbox();
  c.expectEnd();
  return { tag, name: "getacl", mailbox };
}

// DELETEACL (RFC 4314 §3.2, §7): `DELETEACL mailbox SP identifier`.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseDeleteAcl(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  const mailbox = c.mailbox();
  c.expectSpace();
  const identifier = c.astring();
  c.expectEnd();
  return { tag, name: "deleteacl", mailbox, identifier };
}

// SETACL (RFC 4314 §3.1, §7): `SETACL mailbox SP identifier SP mod-rights`, identifier and mod-rights
// astrings. Which rights exist is the handler's business (an unknown one is BAD there).

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseSetAcl(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  const mailbox = c.mailbox();
  c.expectSpace();
  const identifier = c.astring();
  c.expectSpace();
  const rights = c.astring();
  c.expectEnd();
  return { tag, name: "setacl", mailbox, identifier, rights };
}

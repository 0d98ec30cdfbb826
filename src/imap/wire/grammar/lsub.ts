// LSUB (RFC 3501 §6.3.9, kept for IMAP4rev1 clients): `LSUB reference pattern`.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseLsub(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  const reference = c.mailbox();
  c.expectSpace();
  const pattern = c.listMailbox();
  c.expectEnd();
  return { tag, name: "lsub", reference, pattern };
}

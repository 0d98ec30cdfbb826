// GETQUOTAROOT (RFC 9208 §4.1.2): `GETQUOTAROOT mailbox`.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseGetQuotaRoot(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  const mailbox = c.mailbox();
  c.expectEnd();
  return { tag, name: "getquotaroot", mailbox };
}

// GETQUOTA (RFC 9208 §4.1.1): `GETQUOTA quota-root`.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseGetQuota(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  const root = c.astring();
  c.expectEnd();
  return { tag, name: "getquota", root };
}

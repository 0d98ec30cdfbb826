// ENABLE (RFC 5161 §3.1): `ENABLE 1*(SP capability)`.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseEnable(c: ArgumentCursor, tag: string): ImapCommand {
  const capabilities: string[] = [];
  c.expectSpace();
  do capabilities.push(c.keyword());
  while (c.skipSpace());
  c.expectEnd();
  return { tag, name: "enable", capabilities };
}

// RESETKEY (RFC 4467 §9): `"RESETKEY" [SP mailbox *(SP mechanism)]`.
import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseResetKey(c: ArgumentCursor, tag: string): ImapCommand {
  if (c.isAtEnd()) return { tag, name: "resetkey", mailbox: null, mechanisms: [] };
  c.expectSpace();
  const mailbox = c.mailbox();
  const mechanisms: string[] = [];
  while (!c.isAtEnd()) {
    c.expectSpace();
    mechanisms.push(c.keyword());
  }
  return { tag, name: "resetkey", mailbox, mechanisms };
}

// CREATE (RFC 9051 §6.3.4) with RFC 6154 §3 CREATE-SPECIAL-USE: `CREATE name (USE (\Drafts))`.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseCreate(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  const mailbox = c.mailbox();
  const specialUse: string[] = [];
  if (c.skipSpace()) {
    c.list(() => {
      c.expectKeyword("USE");
      c.expectSpace();
      c.list(() => {
        c.expectByte(0x5c, "a \\ special-use attribute");
        specialUse.push(`\\${c.atom()}`);
      }, false);
    }, false);
  }
  c.expectEnd();
  return { tag, name: "create", mailbox, specialUse };
}

// LOGIN (RFC 9051 §6.2.3): `LOGIN userid password`, each an atom, quoted string or literal.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseLogin(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  const username = c.astring();
  c.expectSpace();
  const password = c.astring();
  c.expectEnd();
  return { tag, name: "login", username, password };
}

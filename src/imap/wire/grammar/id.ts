// ID (RFC 2971 §3.1): `ID ("key" "value" …)` or `ID NIL`.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseId(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  if (c.tryKeyword("NIL")) {
    c.expectEnd();
    return { tag, name: "id", parameters: null };
  }
  const parameters: { key: string; value: string | null }[] = [];
  c.list(() => {
    const key = c.string();
    c.expectSpace();
    parameters.push({ key, value: c.nstring() });
  });
  c.expectEnd();
  return { tag, name: "id", parameters };
}

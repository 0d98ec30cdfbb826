// GENURLAUTH (RFC 4467 §9): `"GENURLAUTH" 1*(SP url-rump SP mechanism)`; url-rump is an astring.
import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseGenUrlAuth(c: ArgumentCursor, tag: string): ImapCommand {
  const urls: { rump: string; mechanism: string }[] = [];
  do {
    c.expectSpace();
    const rump = c.astring();
    c.expectSpace();
    urls.push({ rump, mechanism: c.keyword() });
  } while (!c.isAtEnd());
  return { tag, name: "genurlauth", urls };
}

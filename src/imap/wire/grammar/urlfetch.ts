// URLFETCH (RFC 4467 §9): `"URLFETCH" 1*(SP astring)`, each a full URLAUTH URL.
import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseUrlFetch(c: ArgumentCursor, tag: string): ImapCommand {
  const urls: string[] = [];
  do {
    c.expectSpace();
    urls.push(c.astring());
  } while (!c.isAtEnd());
  return { tag, name: "urlfetch", urls };
}

// COMPRESS (RFC 4978 §3): `COMPRESS algorithm`; the algorithm is an atom, upper-cased here.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseCompress(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  const mechanism = c.keyword();
  c.expectEnd();
  return { tag, name: "compress", mechanism };
}

// EXPUNGE (RFC 9051 §6.4.3) and UID EXPUNGE (RFC 4315 §2.1, part of RFC 9051 §6.4.9).

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

export function parseExpunge(c: ArgumentCursor, tag: string, uid: boolean): ImapCommand {
  if (!uid) {
    c.expectEnd();
    return { tag, name: "expunge", uid: false };
  }
  c.expectSpace();
  const set = c.sequenceSet();
  c.expectEnd();
  return { tag, name: "expunge", uid: true, set };
}

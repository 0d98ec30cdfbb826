// STORE and UID STORE (RFC 9051 §6.4.6) with the UNCHANGEDSINCE modifier (RFC 7162 §3.1.3):
// `STORE set [(UNCHANGEDSINCE n)] [+|-]FLAGS[.SILENT] (flags)`.

import type { ModSeq } from "../../../kit/ids.js";
import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand, StoreAction } from "../command.js";

export function parseStore(c: ArgumentCursor, tag: string, uid: boolean): ImapCommand {
  c.expectSpace();
  const set = c.sequenceSet();
  c.expectSpace();
  let unchangedSince: ModSeq | null = null;
  if (c.isListStart()) {
    c.list(() => {
      c.expectKeyword("UNCHANGEDSINCE");
      c.expectSpace();
      unchangedSince = c.number64() as ModSeq;
    }, false);
    c.expectSpace();
  }
  const action: StoreAction = c.skipByte(0x2b) ? "add" : c.skipByte(0x2d) ? "remove" : "replace";
  const item = c.keyword();
  if (item !== "FLAGS" && item !== "FLAGS.SILENT") c.fail("Expected FLAGS, +FLAGS or -FLAGS");
  c.expectSpace();
  let flags: string[] = [];
  if (c.isListStart()) flags = c.flagList();
  else {
    do flags.push(c.flag());
    while (c.skipSpace());
  }
  c.expectEnd();
  return { tag, name: "store", uid, set, unchangedSince, action, silent: item === "FLAGS.SILENT", flags };
}

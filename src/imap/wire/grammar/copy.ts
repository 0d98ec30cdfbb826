// COPY and UID COPY (RFC 9051 §6.4.7, §6.4.9): `COPY sequence-set mailbox`.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand, TransferArguments } from "../command.js";

/** `sequence-set SP mailbox`, shared by COPY and MOVE. */
export function parseTransferArguments(c: ArgumentCursor, uid: boolean): TransferArguments {
  c.expectSpace();
  const set = c.sequenceSet();
  c.expectSpace();
  const mailbox = c.mailbox();
  c.expectEnd();
  return { uid, set, mailbox };
}

export function parseCopy(c: ArgumentCursor, tag: string, uid: boolean): ImapCommand {
  return { tag, name: "copy", ...parseTransferArguments(c, uid) };
}

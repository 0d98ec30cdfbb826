// REPLACE and UID REPLACE (RFC 8508 §6): `REPLACE seq-number SP mailbox SP append-message`, one message
// (no MULTIAPPEND). Like APPEND's, the message literal is streamed by the reader and carries no bytes here.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand, ReplaceArguments } from "../command.js";
import type { SeqNumber } from "../seqset.js";
import { type AppendMessageHead, parseAppendMessage } from "./append.js";

/** Reads REPLACE's arguments; stops at the message literal if it has not arrived and reports its head. */
export function parseReplaceArguments(
  c: ArgumentCursor,
  uid: boolean,
): { readonly pending: AppendMessageHead } | { readonly pending: null; readonly replace: ReplaceArguments } {
  c.expectSpace();
  const target = readSeqNumber(c);
  c.expectSpace();
  const mailbox = c.mailbox();
  c.expectSpace();
  const part = parseAppendMessage(c, mailbox, 0);
  if (part.pending !== null) return { pending: part.pending };
  c.expectEnd();
  return { pending: null, replace: { uid, target, mailbox, message: part.message } };
}

export function parseReplace(c: ArgumentCursor, tag: string, uid: boolean): ImapCommand {
  const parsed = parseReplaceArguments(c, uid);
  if (parsed.pending !== null) c.fail("REPLACE message literal missing");
  return { tag, name: "replace", ...parsed.replace };
}

/** `seq-number = nz-number / "*"` (RFC 9051 §9): a message number, or a UID for UID REPLACE. */
function readSeqNumber(c: ArgumentCursor): SeqNumber {
  if (c.skipByte(0x2a)) return "*";
  return c.nzNumber();
}

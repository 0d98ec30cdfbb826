// APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502 §6), literal8 (RFC 3516 §4.3) and the UTF8
// data item (RFC 6855 §4). Message literals are streamed by the reader, so they carry no bytes here.

import { type ArgumentCursor, type ImapDateTime, PendingLiteralError } from "../argument-cursor.js";
import type { AppendMessage, ImapCommand } from "../command.js";

/** What is known of an APPEND message when its literal is announced, before its bytes arrive. */
export interface AppendMessageHead {
  readonly mailbox: string;
  /** 0 for the first message, 1… for MULTIAPPEND's further messages. */
  readonly index: number;
  readonly flags: readonly string[];
  readonly internalDate: ImapDateTime | null;
  readonly isUtf8: boolean;
}

export interface AppendArguments {
  readonly mailbox: string;
  readonly messages: readonly AppendMessage[];
  /** Set when parsing stopped at a message literal not yet received (the reader frames with this). */
  readonly pending: AppendMessageHead | null;
}

/** One message of APPEND or REPLACE: its bytes, or its head when its literal has not arrived yet. */
export type AppendMessagePart =
  | { readonly message: AppendMessage; readonly pending: null }
  | { readonly message: null; readonly pending: AppendMessageHead };

/**
 * Reads `[flag-list SP] [date-time SP] (literal / literal8 / UTF8 (literal8))` (RFC 3502 append-message,
 * RFC 6855 §4), the part APPEND repeats and REPLACE (RFC 8508 §6) has once.
 */
export function parseAppendMessage(c: ArgumentCursor, mailbox: string, index: number): AppendMessagePart {
  let flags: string[] = [];
  let internalDate: ImapDateTime | null = null;
  if (c.isListStart()) {
    flags = c.flagList();
    c.expectSpace();
  }
  if (c.peek() === 0x22) {
    internalDate = c.dateTime();
    c.expectSpace();
  }
  const isUtf8 = c.tryKeyword("UTF8");
  if (isUtf8) {
    c.expectSpace();
    c.openList();
  }
  let literal: ReturnType<ArgumentCursor["literal"]>;
  try {
    literal = c.literal(true);
  } catch (error) {
    if (error instanceof PendingLiteralError) {
      return { message: null, pending: { mailbox, index, flags, internalDate, isUtf8 } };
    }
    throw error;
  }
  if (isUtf8) c.closeList();
  return {
    message: { flags, internalDate, isUtf8, isBinary: literal.isBinary, size: literal.size },
    pending: null,
  };
}

/** Reads APPEND's arguments; stops at the first not-yet-received message literal and reports its head. */
export function parseAppendArguments(c: ArgumentCursor): AppendArguments {
  c.expectSpace();
  const mailbox = c.mailbox();
  const messages: AppendMessage[] = [];
  while (c.skipSpace()) {
    const part = parseAppendMessage(c, mailbox, messages.length);
    if (part.pending !== null) return { mailbox, messages, pending: part.pending };
    messages.push(part.message);
  }
  if (messages.length === 0) c.fail("APPEND needs a message literal");
  c.expectEnd();
  return { mailbox, messages, pending: null };
}

export function parseAppend(c: ArgumentCursor, tag: string): ImapCommand {
  const { mailbox, messages, pending } = parseAppendArguments(c);
  if (pending !== null) c.fail("APPEND message literal missing");
  return { tag, name: "append", mailbox, messages };
}

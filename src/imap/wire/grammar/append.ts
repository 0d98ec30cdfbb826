// APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502 §6), literal8 (RFC 3516 §4.3), the UTF8 data
// item (RFC 6855 §4) and CATENATE (RFC 4469 §5). Message literals and CATENATE's TEXT literals are
// streamed by the reader, so they carry no bytes here.

import { type ArgumentCursor, type ImapDateTime, PendingLiteralError } from "../argument-cursor.js";
import type { AppendMessage, CatenatePart, ImapCommand } from "../command.js";

/** What is known of an APPEND message when its literal is announced, before its bytes arrive. */
export interface AppendMessageHead {
  readonly mailbox: string;
  /** 0 for the first message, 1… for MULTIAPPEND's further messages. */
  readonly index: number;
  readonly flags: readonly string[];
  readonly internalDate: ImapDateTime | null;
  readonly isUtf8: boolean;
  /** For a CATENATE TEXT literal: its position among the message's parts (URL parts counted). */
  readonly catenatePart?: number;
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
 * Reads `[flag-list SP] [date-time SP] (literal / literal8 / UTF8 (literal8) / CATENATE (cat-part …))`
 * (RFC 3502 append-message, RFC 6855 §4, RFC 4469 §5), the part APPEND repeats and REPLACE (RFC 8508 §6)
 * has once.
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
  if (c.tryKeyword("CATENATE")) {
    const head: AppendMessageHead = { mailbox, index, flags, internalDate, isUtf8: false };
    try {
      return { message: parseCatenate(c, head), pending: null };
    } catch (error) {
      // A TEXT literal not yet received: the reader streams it as a piece of this message.
      if (error instanceof PendingTextError)
        return { message: null, pending: { ...head, catenatePart: error.part } };
      throw error;
    }
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

/**
 * `"CATENATE" SP "(" cat-part *(SP cat-part) ")"` with `cat-part = "TEXT" SP literal / "URL" SP astring`
 * (RFC 4469 §5; literal8 too, as with BINARY). A TEXT literal not yet received is reported as pending;
 * a URL given as a literal is an ordinary argument (PendingLiteralError reaches the reader).
 */
function parseCatenate(c: ArgumentCursor, head: AppendMessageHead): AppendMessage {
  c.expectSpace();
  const parts: CatenatePart[] = [];
  c.list(() => {
    if (c.tryKeyword("TEXT")) {
      c.expectSpace();
      let literal: ReturnType<ArgumentCursor["literal"]>;
      try {
        literal = c.literal(true);
      } catch (error) {
        if (error instanceof PendingLiteralError) throw new PendingTextError(parts.length);
        throw error;
      }
      parts.push({ kind: "text", size: literal.size, isBinary: literal.isBinary });
      return;
    }
    c.expectKeyword("URL");
    c.expectSpace();
    parts.push({ kind: "url", url: c.astring() });
  }, false);
  const size = parts.reduce((sum, p) => sum + (p.kind === "text" ? p.size : 0), 0);
  const { flags, internalDate } = head;
  return { flags, internalDate, isUtf8: false, isBinary: false, size, catenate: parts };
}

/** A CATENATE TEXT literal announced but not received yet, at this part position. */
class PendingTextError extends Error {
  constructor(readonly part: number) {
    super("CATENATE TEXT literal not yet received");
  }
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

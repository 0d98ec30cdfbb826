// The resumable, I/O-free IMAP command reader (RFC 9051 §2.2.1 framing, §4.3 literals, §7.5 command
// continuation, RFC 7888 LITERAL+/LITERAL-, RFC 3516 literal8, RFC 2177 IDLE DONE, RFC 9051 §6.2.2
// AUTHENTICATE responses): bytes in, `ReaderEvent`s out, bounded by `ImapReaderLimits`.

import {
  ArgumentCursor,
  type CommandLiteral,
  type CommandSource,
  PendingLiteralError,
  WireSyntaxError,
} from "./argument-cursor.js";
import type { ImapCommand } from "./command.js";
import { type ParseResult, parseCommand, readCommandName, readTag } from "./command-parser.js";
import { type AppendMessageHead, parseAppendArguments } from "./grammar/append.js";
import { parseReplaceArguments } from "./grammar/replace.js";
import { DEFAULT_READER_LIMITS, type ImapReaderLimits } from "./limits.js";

/**
 * What the reader found. Contract for the session, which must consume every event of one `feed` call
 * (in order) before the next `feed`, and may call the reader's control methods between events:
 *
 * - `command`: a complete, valid command.
 * - `syntaxError`: the command (tag if known) is invalid; answer `tag BAD text` (or untagged BAD when the
 *   tag is null). The reader has already skipped to the next command.
 * - `needLiteral`: the client announced a literal of `size` bytes. `append` is set when it is an APPEND
 *   message (the bytes then arrive as `literalChunk`… `literalEnd` events, never buffered); otherwise it is
 *   an argument read into memory. If `sync`, the client waits: send `+ Ready` to accept, or call
 *   `rejectLiteral()` and answer with a tagged NO/BAD (e.g. `NO [TOOBIG]`). A non-synchronizing literal
 *   (LITERAL+) is already on its way: `rejectLiteral()` makes the reader skip its bytes and the rest of
 *   the command, so the session answers with a tagged NO/BAD just the same (RFC 7888 §4 LITERAL-).
 * - `literalChunk`: bytes of the APPEND message being streamed; `bytes` is a view into the fed buffer,
 *   valid until the next `feed`: copy it or finish with it first. `literalEnd` follows the last chunk.
 *   After all message literals, the APPEND command arrives as a `command` event (with sizes, no bytes),
 *   or as a `syntaxError` if what follows the literal is wrong: the session then drops what it stored.
 *   `discardCommand()` during streaming skips the rest (e.g. when the blob store failed).
 * - `literalTooLarge`: an argument literal exceeded `maxLiteralBytes` (or the command `maxCommandBytes`);
 *   the reader skips it and the rest of the command; answer `tag BAD`/`NO [TOOBIG]`. No `+` for it.
 * - `continuationLine`: after `expectContinuationLine()`, the next line (an AUTHENTICATE response,
 *   base64 or `*` to cancel); the reader goes back to command mode after it.
 * - `idleDone`: after `expectIdleDone()`, the client sent `DONE`; other lines give `syntaxError` (tag null)
 *   and the reader keeps waiting for DONE.
 * - `fatal`: a line or command exceeded its limit in a way that cannot be resynchronized; send
 *   `* BYE` and close. The reader ignores all further input.
 */
export type ReaderEvent =
  | { readonly kind: "command"; readonly command: ImapCommand }
  | { readonly kind: "syntaxError"; readonly tag: string | null; readonly text: string }
  | {
      readonly kind: "needLiteral";
      readonly tag: string | null;
      readonly size: number;
      readonly sync: boolean;
      readonly isBinary: boolean;
      readonly append: AppendMessageHead | null;
    }
  | { readonly kind: "literalChunk"; readonly bytes: Uint8Array }
  | { readonly kind: "literalEnd" }
  | {
      readonly kind: "literalTooLarge";
      readonly tag: string | null;
      /** The command's name, upper-cased (`UID` skipped), so the refusal can fit it (SETMETADATA). */
      readonly command: string | null;
      readonly size: number;
      readonly sync: boolean;
    }
  | { readonly kind: "continuationLine"; readonly line: string }
  | { readonly kind: "idleDone" }
  | {
      readonly kind: "fatal";
      readonly tag: string | null;
      readonly reason: "lineTooLong" | "commandTooLarge";
    };

/** A command line `peekCommands` parsed ahead: bytes [start, end) of the buffer being fed, LF included. */
interface PeekedCommand {
  readonly bytes: Uint8Array;
  readonly start: number;
  readonly end: number;
  readonly command: ImapCommand;
}

interface LiteralAnnouncement {
  readonly size: number;
  readonly sync: boolean;
  readonly isBinary: boolean;
}

interface LiteralInProgress {
  readonly size: number;
  readonly sync: boolean;
  readonly isBinary: boolean;
  remaining: number;
  target: "memory" | "stream" | "skip";
  readonly chunks: Uint8Array[];
}

type Mode = "command" | "continuation" | "idle" | "closed";

const LF = 0x0a;
const CR = 0x0d;
const LF_BYTES = Uint8Array.of(LF);
const utf8 = new TextDecoder("utf-8");

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Finds `{n}`, `{n+}`, `~{n}` or `~{n+}` ending a line outside any quoted string. A size beyond what a
 * number holds exactly is reported as `Infinity`.
 */
export function findLiteralAnnouncement(line: Uint8Array): LiteralAnnouncement | null {
  if (line[line.length - 1] !== 0x7d) return null;
  let isInQuote = false;
  for (let i = 0; i < line.length; i++) {
    const b = line[i];
    if (isInQuote && b === 0x5c) i++;
    else if (b === 0x22) isInQuote = !isInQuote;
  }
  if (isInQuote) return null;
  let end = line.length - 1;
  const sync = line[end - 1] !== 0x2b;
  if (!sync) end--;
  let start = end;
  while (start > 0 && line[start - 1]! >= 0x30 && line[start - 1]! <= 0x39) start--;
  if (start === end || line[start - 1] !== 0x7b) return null;
  const digits = String.fromCharCode(...line.subarray(start, end));
  const size = digits.length > 15 ? Number.POSITIVE_INFINITY : Number(digits);
  return { size, sync, isBinary: line[start - 2] === 0x7e };
}

/** Reads IMAP commands from a byte stream; see `ReaderEvent` for the contract. */
export class ImapReader {
  private readonly limits: ImapReaderLimits;
  private mode: Mode = "command";
  private isUtf8Accepted = false;
  private lineParts: Uint8Array[] = [];
  private lineBytes = 0;
  // The command being framed.
  private isInCommand = false;
  private isDiscarding = false;
  private tag: string | null = null;
  private commandName: string | null = null;
  private textParts: Uint8Array[] = [];
  private literals: CommandLiteral[] = [];
  private commandBytes = 0;
  private literal: LiteralInProgress | null = null;
  /** The buffer being fed and where its unread part starts, while `feed` is between events. */
  private fed: Uint8Array | null = null;
  private fedPosition = 0;
  /** Lines of `fed` already parsed by `peekCommands`, in order, handed out by `feed` when it gets there. */
  private ahead: PeekedCommand[] = [];

  constructor(limits: Partial<ImapReaderLimits> = {}) {
    this.limits = { ...DEFAULT_READER_LIMITS, ...limits };
  }

  /** After `ENABLE UTF8=ACCEPT` (RFC 6855): later mailbox names are read as UTF-8, not mUTF-7. */
  setUtf8Accepted(isAccepted: boolean): void {
    this.isUtf8Accepted = isAccepted;
    this.ahead = [];
  }

  /** The next line is an AUTHENTICATE response (`continuationLine` event), not a command. */
  expectContinuationLine(): void {
    this.mode = "continuation";
    this.ahead = [];
  }

  /** Lines are IDLE's `DONE` (`idleDone` event) until it comes. */
  expectIdleDone(): void {
    this.mode = "idle";
    this.ahead = [];
  }

  /** Back to reading commands (e.g. the session ended IDLE itself). */
  expectCommand(): void {
    if (this.mode !== "closed") this.mode = "command";
    this.ahead = [];
  }

  /** Refuses the literal just announced by `needLiteral`; the session sends the tagged NO/BAD. */
  rejectLiteral(): void {
    const literal = this.literal;
    if (literal === null) throw new Error("rejectLiteral: no literal is pending");
    if (literal.sync) {
      // The client waits for `+` and gets the tagged reply instead: the command is over.
      this.literal = null;
      this.resetCommand();
    } else {
      literal.target = "skip";
      this.isDiscarding = true;
    }
  }

  /** Skips the rest of the command being framed, including the rest of a streaming literal. */
  discardCommand(): void {
    if (!this.isInCommand) return;
    this.isDiscarding = true;
    if (this.literal !== null) this.literal.target = "skip";
  }

  /** True while no partial command, line or literal is buffered (safe point for STARTTLS). */
  isIdle(): boolean {
    return !this.isInCommand && this.lineBytes === 0 && this.literal === null;
  }

  /**
   * Commands the client sent after the last event, already here in full: up to `max` complete command
   * lines without literals that follow in the buffer being fed, parsed now. `feed` hands them out in
   * turn without parsing them again, unless a control call (UTF8=ACCEPT, IDLE, a continuation) comes
   * first, which drops them. Stops at the first line that is anything else (a literal, a syntax error,
   * a line over the limits); empty while a command, literal or line is partly read. For reading ahead
   * what pipelined commands will need; nothing runs because of a peek.
   */
  peekCommands(max: number): readonly ImapCommand[] {
    const bytes = this.fed;
    const isBetweenCommands =
      this.mode === "command" && !this.isInCommand && this.literal === null && this.lineBytes === 0;
    if (bytes === null || !isBetweenCommands) return [];
    let pos = this.ahead.at(-1)?.end ?? this.fedPosition;
    while (this.ahead.length < max && pos < bytes.length) {
      const lf = bytes.indexOf(LF, pos);
      if (lf < 0) break;
      const end = lf > pos && bytes[lf - 1] === CR ? lf - 1 : lf;
      const length = end - pos;
      if (length === 0 || length > this.limits.maxLineBytes || length + 1 > this.limits.maxCommandBytes)
        break;
      const line = bytes.slice(pos, end);
      if (findLiteralAnnouncement(line) !== null) break;
      const result = parseCommand({ text: line, literals: [] }, this.parseOptions());
      if (result.kind !== "command") break;
      this.ahead.push({ bytes, start: pos, end: lf + 1, command: result.command });
      pos = lf + 1;
    }
    return this.ahead.slice(0, max).map((peeked) => peeked.command);
  }

  /** Consumes `bytes`, yielding events lazily so control calls between events apply to the rest. */
  *feed(bytes: Uint8Array): Generator<ReaderEvent, void, undefined> {
    this.ahead = [];
    this.fed = bytes;
    try {
      yield* this.consume(bytes);
    } finally {
      this.fed = null;
      this.ahead = [];
    }
  }

  private *consume(bytes: Uint8Array): Generator<ReaderEvent, void, undefined> {
    let pos = 0;
    for (;;) {
      if (this.mode === "closed") return;
      const literal = this.literal;
      if (literal !== null) {
        if (literal.remaining === 0) {
          yield* this.finishLiteral(literal);
          continue;
        }
        if (pos >= bytes.length) return;
        const take = Math.min(literal.remaining, bytes.length - pos);
        const slice = bytes.subarray(pos, pos + take);
        pos += take;
        literal.remaining -= take;
        if (literal.target === "memory") literal.chunks.push(slice.slice());
        else if (literal.target === "stream") yield { kind: "literalChunk", bytes: slice };
        continue;
      }
      if (pos >= bytes.length) return;
      const peeked = this.takePeeked(bytes, pos);
      if (peeked !== undefined) {
        pos = peeked.end;
        this.fedPosition = pos;
        yield { kind: "command", command: peeked.command };
        continue;
      }
      const lf = bytes.indexOf(LF, pos);
      if (lf < 0) {
        this.lineParts.push(bytes.slice(pos));
        this.lineBytes += bytes.length - pos;
        // One byte of slack for the CR of a line of exactly maxLineBytes.
        if (this.lineBytes > this.limits.maxLineBytes + 1) yield this.fail("lineTooLong");
        return;
      }
      this.lineParts.push(bytes.subarray(pos, lf));
      pos = lf + 1;
      this.fedPosition = pos;
      let line = concat(this.lineParts);
      this.lineParts = [];
      this.lineBytes = 0;
      if (line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
      if (line.length > this.limits.maxLineBytes) {
        yield this.fail("lineTooLong", line);
        return;
      }
      // Lines are copied out of `bytes` (the command may outlive this buffer).
      yield* this.handleLine(line.slice());
    }
  }

  /** The command `peekCommands` parsed at `pos`, if the reader is still where it was when it looked. */
  private takePeeked(bytes: Uint8Array, pos: number): PeekedCommand | undefined {
    const peeked = this.ahead[0];
    if (peeked === undefined || peeked.bytes !== bytes || peeked.start !== pos) return undefined;
    if (this.mode !== "command" || this.isInCommand || this.lineBytes !== 0) return undefined;
    this.ahead.shift();
    return peeked;
  }

  private fail(reason: "lineTooLong" | "commandTooLarge", line?: Uint8Array): ReaderEvent {
    this.mode = "closed";
    const tag = this.isInCommand ? this.tag : readTag(line ?? concat(this.lineParts));
    return { kind: "fatal", tag, reason };
  }

  private resetCommand(): void {
    this.isInCommand = false;
    this.isDiscarding = false;
    this.tag = null;
    this.commandName = null;
    this.textParts = [];
    this.literals = [];
    this.commandBytes = 0;
  }

  private *finishLiteral(literal: LiteralInProgress): Generator<ReaderEvent> {
    this.literal = null;
    if (literal.target === "skip") return;
    const isStreamed = literal.target === "stream";
    this.literals.push({
      size: literal.size,
      isBinary: literal.isBinary,
      bytes: isStreamed ? null : concat(literal.chunks.length === 0 ? [new Uint8Array(0)] : literal.chunks),
    });
    if (isStreamed) yield { kind: "literalEnd" };
  }

  private *handleLine(line: Uint8Array): Generator<ReaderEvent> {
    if (this.mode === "continuation") {
      this.mode = "command";
      yield { kind: "continuationLine", line: utf8.decode(line) };
      return;
    }
    if (this.mode === "idle") {
      if (line.length === 4 && utf8.decode(line).toUpperCase() === "DONE") {
        this.mode = "command";
        yield { kind: "idleDone" };
      } else {
        yield { kind: "syntaxError", tag: null, text: "Expected DONE" };
      }
      return;
    }
    if (!this.isInCommand) {
      // Stray empty lines between commands are ignored, as most servers do.
      if (line.length === 0) return;
      this.isInCommand = true;
      this.tag = readTag(line);
      this.commandName = readCommandName(line);
    }
    this.commandBytes += line.length + 1;
    if (this.commandBytes > this.limits.maxCommandBytes) {
      yield this.fail("commandTooLarge");
      return;
    }
    const announcement = findLiteralAnnouncement(line);
    if (announcement === null) {
      if (!this.isDiscarding) {
        this.textParts.push(line);
        const result = parseCommand(
          { text: concat(this.textParts), literals: this.literals },
          this.parseOptions(),
        );
        this.resetCommand();
        yield resultEvent(result);
      } else {
        this.resetCommand();
      }
      return;
    }
    if (!Number.isSafeInteger(announcement.size)) {
      if (!announcement.sync) {
        yield this.fail("commandTooLarge");
        return;
      }
    }
    if (this.isDiscarding) {
      this.refuse(announcement);
      return;
    }
    this.textParts.push(line, LF_BYTES);
    if (this.literals.length >= this.limits.maxArguments) {
      yield { kind: "syntaxError", tag: this.tag, text: "Too many literals" };
      this.refuse(announcement);
      return;
    }
    const isMessageCommand = this.commandName === "APPEND" || this.commandName === "REPLACE";
    const classified = isMessageCommand ? this.classifyAppendLiteral() : null;
    if (classified instanceof WireSyntaxError) {
      yield { kind: "syntaxError", tag: this.tag, text: classified.message };
      this.refuse(announcement);
      return;
    }
    if (classified === null) {
      const size = announcement.size;
      if (size > this.limits.maxLiteralBytes || this.commandBytes + size > this.limits.maxCommandBytes) {
        const { tag, commandName } = this;
        this.refuse(announcement);
        yield { kind: "literalTooLarge", tag, command: commandName, size, sync: announcement.sync };
        return;
      }
      this.commandBytes += size;
    } else if (!Number.isSafeInteger(announcement.size)) {
      const { tag, commandName } = this;
      this.refuse(announcement);
      yield {
        kind: "literalTooLarge",
        tag,
        command: commandName,
        size: announcement.size,
        sync: announcement.sync,
      };
      return;
    }
    this.literal = {
      size: announcement.size,
      sync: announcement.sync,
      isBinary: announcement.isBinary,
      remaining: announcement.size,
      target: classified === null ? "memory" : "stream",
      chunks: [],
    };
    yield {
      kind: "needLiteral",
      tag: this.tag,
      size: announcement.size,
      sync: announcement.sync,
      isBinary: announcement.isBinary,
      append: classified,
    };
  }

  /** Skips an announced literal of a command already answered (sync: the client sends nothing). */
  private refuse(announcement: LiteralAnnouncement): void {
    if (announcement.sync) {
      this.resetCommand();
      return;
    }
    this.isDiscarding = true;
    this.literal = {
      size: announcement.size,
      sync: false,
      isBinary: announcement.isBinary,
      remaining: announcement.size,
      target: "skip",
      chunks: [],
    };
  }

  /**
   * Whether the literal just announced in an APPEND or (UID) REPLACE (RFC 8508) is a message (its head)
   * or another argument such as the mailbox name.
   */
  private classifyAppendLiteral(): AppendMessageHead | WireSyntaxError | null {
    if (this.tag === null) return new WireSyntaxError("Missing or invalid tag");
    const source: CommandSource = { text: concat(this.textParts), literals: this.literals };
    const c = new ArgumentCursor(source, this.parseOptions());
    try {
      c.advance(this.tag.length + 1);
      let name = c.keyword();
      const isUid = name === "UID";
      if (isUid) {
        c.expectSpace();
        name = c.keyword();
      }
      if (name === "APPEND" && !isUid) return parseAppendArguments(c).pending;
      if (name === "REPLACE") return parseReplaceArguments(c, isUid).pending;
      return null;
    } catch (error) {
      if (error instanceof PendingLiteralError) return null;
      if (error instanceof WireSyntaxError) return error;
      return new WireSyntaxError("Invalid command");
    }
  }

  private parseOptions() {
    return {
      isUtf8Accepted: this.isUtf8Accepted,
      maxNesting: this.limits.maxNesting,
      maxArguments: this.limits.maxArguments,
    };
  }
}

function resultEvent(result: ParseResult): ReaderEvent {
  return result.kind === "command"
    ? { kind: "command", command: result.command }
    : { kind: "syntaxError", tag: result.tag, text: result.text };
}

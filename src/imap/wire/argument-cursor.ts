// The shared argument tokenizer of RFC 9051 §9 (formal syntax): atoms, quoted strings with escapes,
// literals and literal8, NIL, numbers, parenthesized lists, astrings, list-mailbox, flags, dates.
// Grammar modules call it; it throws `WireSyntaxError`, which the command parser turns into BAD.

import { decodeMailboxName, MailboxNameError } from "./mailbox-name.js";
import { parseSequenceSet, type SequenceSet } from "./seqset.js";

/** A literal of a command: its bytes when read into memory, or null when streamed (APPEND messages). */
export interface CommandLiteral {
  readonly size: number;
  readonly isBinary: boolean;
  readonly bytes: Uint8Array | null;
}

/**
 * One complete (or, while framing, partial) command: the line bytes with each literal announcement
 * `{n}` followed by a single LF, and the literals in order. The reader builds it; grammars read it.
 */
export interface CommandSource {
  readonly text: Uint8Array;
  readonly literals: readonly CommandLiteral[];
}

/** Settings of the session that change how arguments decode. */
export interface ParseOptions {
  /** The session has enabled UTF8=ACCEPT (RFC 6855): mailbox names are raw UTF-8, not mUTF-7. */
  readonly isUtf8Accepted: boolean;
  readonly maxNesting: number;
  readonly maxArguments: number;
}

/** A client syntax error; `message` is safe to send in the tagged BAD. */
export class WireSyntaxError extends Error {
  override readonly name = "WireSyntaxError";
}

/** Thrown when a grammar reaches a literal the reader has not received yet (used while framing APPEND). */
export class PendingLiteralError extends Error {
  override readonly name = "PendingLiteralError";
  constructor(readonly literalIndex: number) {
    super("literal not yet received");
  }
}

/** A date (RFC 9051 `date`), e.g. for SEARCH SINCE; month 1-12. */
export interface ImapDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** A `date-time` (RFC 9051 §9), e.g. APPEND's internal date; `zoneMinutes` east of UTC. */
export interface ImapDateTime extends ImapDate {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly zoneMinutes: number;
}

export const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
] as const;

const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const LPAREN = 0x28;
const RPAREN = 0x29;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const TILDE = 0x7e;
const LF = 0x0a;
const CR = 0x0d;

const isCtl = (b: number): boolean => b < 0x20 || b === 0x7f;
/** ATOM-CHAR: any 7-bit CHAR except atom-specials. */
export const isAtomChar = (b: number): boolean =>
  b > 0x20 &&
  b < 0x7f &&
  b !== LPAREN &&
  b !== RPAREN &&
  b !== LBRACE &&
  b !== 0x25 && // %
  b !== 0x2a && // *
  b !== DQUOTE &&
  b !== BACKSLASH &&
  b !== 0x5d; // ]
/** ASTRING-CHAR: ATOM-CHAR or `]`. */
export const isAstringChar = (b: number): boolean => isAtomChar(b) || b === 0x5d;
const isListChar = (b: number): boolean => isAstringChar(b) || b === 0x25 || b === 0x2a;
const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;
const isSeqSetChar = (b: number): boolean =>
  isDigit(b) || b === 0x3a || b === 0x2c || b === 0x2a || b === 0x24;

const utf8 = new TextDecoder("utf-8");
const latin1 = new TextDecoder("latin1");
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Runs up to this long are turned into text byte by byte (a decoder call costs more for short ones). */
const MAX_DIRECT_TEXT_BYTES = 64;

/**
 * Bytes [start, end) as Latin-1 text, as the `latin1` TextDecoder gives them. Tags, atoms and numbers
 * are short and ASCII: those are built directly, without a subarray and a decoder call per token.
 */
export function latin1Text(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= MAX_DIRECT_TEXT_BYTES) {
    let text = "";
    let at = start;
    for (; at < end; at++) {
      const b = bytes[at] as number;
      // Bytes 0x80-0x9F decode differently (windows-1252): the decoder handles any non-ASCII run.
      if (b >= 0x80) break;
      text += String.fromCharCode(b);
    }
    if (at === end) return text;
  }
  return latin1.decode(bytes.subarray(start, end));
}

/** A position of an ArgumentCursor (ArgumentCursor.mark). */
export interface CursorMark {
  readonly position: number;
  readonly literalIndex: number;
}

/** Reads arguments left to right; every method either consumes a whole token or throws. */
export class ArgumentCursor {
  private pos = 0;
  private literalIndex = 0;
  private depth = 0;
  private argumentCount = 0;
  /** How search strings become text: UTF-8 unless SEARCH named another CHARSET (RFC 9051 §6.4.4). */
  decodeText: (bytes: Uint8Array) => string = (bytes) => decodeUtf8(bytes);

  constructor(
    private readonly source: CommandSource,
    readonly options: ParseOptions,
  ) {}

  // ---- position ----

  get position(): number {
    return this.pos;
  }

  /** Where the cursor is, for textSince. */
  mark(): CursorMark {
    return { position: this.pos, literalIndex: this.literalIndex };
  }

  /**
   * The Latin-1 text of what was read since `mark`, or null when a literal was read meanwhile (its bytes
   * are not in the line's text).
   */
  textSince(mark: CursorMark): string | null {
    if (this.literalIndex !== mark.literalIndex) return null;
    return latin1Text(this.source.text, mark.position, this.pos);
  }

  isAtEnd(): boolean {
    return this.pos >= this.source.text.length;
  }

  peek(offset = 0): number {
    return this.source.text[this.pos + offset] ?? -1;
  }

  advance(count = 1): void {
    this.pos += count;
  }

  fail(message: string): never {
    throw new WireSyntaxError(message);
  }

  expectEnd(): void {
    if (!this.isAtEnd()) this.fail(isCtl(this.peek()) ? this.describeBad() : "Unexpected extra arguments");
  }

  expectSpace(): void {
    if (this.peek() !== SP) {
      this.fail(
        this.isAtEnd() ? "Missing argument" : isCtl(this.peek()) ? this.describeBad() : "Expected a space",
      );
    }
    this.pos++;
  }

  /** Consumes one space if present. */
  skipSpace(): boolean {
    if (this.peek() !== SP) return false;
    this.pos++;
    return true;
  }

  expectByte(byte: number, what: string): void {
    if (this.peek() !== byte) this.fail(`Expected ${what}`);
    this.pos++;
  }

  skipByte(byte: number): boolean {
    if (this.peek() !== byte) return false;
    this.pos++;
    return true;
  }

  private countArgument(): void {
    this.argumentCount++;
    if (this.argumentCount > this.options.maxArguments) this.fail("Too many arguments");
  }

  // ---- lists ----

  /** `(` … `)`: calls `item` for each element (separated by single spaces); empty lists allowed if `allowEmpty`. */
  list(item: () => void, allowEmpty = true): void {
    this.openList();
    if (this.skipByte(RPAREN)) {
      this.depth--;
      if (!allowEmpty) this.fail("Empty list not allowed here");
      return;
    }
    for (;;) {
      item();
      if (this.skipByte(RPAREN)) break;
      this.expectSpace();
    }
    this.depth--;
  }

  openList(): void {
    this.expectByte(LPAREN, "(");
    this.countArgument();
    this.depth++;
    if (this.depth > this.options.maxNesting) this.fail("Lists nested too deeply");
  }

  closeList(): void {
    this.expectByte(RPAREN, ")");
    this.depth--;
  }

  isListStart(): boolean {
    return this.peek() === LPAREN;
  }

  // ---- atoms ----

  /** Consumes bytes while `accept` holds and returns them as Latin-1 text (for hand-written token grammars). */
  scanWhile(accept: (b: number) => boolean): string {
    const start = this.pos;
    const text = this.source.text;
    while (this.pos < text.length && accept(text[this.pos]!)) this.pos++;
    return latin1Text(text, start, this.pos);
  }

  private describeBad(): string {
    const b = this.peek();
    if (b < 0) return "Missing argument";
    if (b === 0) return "NUL byte not allowed";
    if (b === CR) return "Bare CR not allowed";
    if (isCtl(b)) return "Control character not allowed";
    if (b >= 0x80) return "8-bit byte not allowed here";
    return `Unexpected character '${String.fromCharCode(b)}'`;
  }

  atom(): string {
    const value = this.scanWhile(isAtomChar);
    if (value.length === 0) this.fail(this.describeBad());
    this.countArgument();
    return value;
  }

  /** An atom compared case-insensitively: returns it upper-cased. */
  keyword(): string {
    return this.atom().toUpperCase();
  }

  /** Consumes `word` (case-insensitive) only if the next atom is exactly it. */
  tryKeyword(word: string): boolean {
    const text = this.source.text;
    for (let k = 0; k < word.length; k++) {
      const b = text[this.pos + k];
      if (b === undefined || String.fromCharCode(b).toUpperCase() !== word[k]) return false;
    }
    const after = text[this.pos + word.length];
    if (after !== undefined && isAtomChar(after)) return false;
    this.pos += word.length;
    this.countArgument();
    return true;
  }

  expectKeyword(word: string): void {
    if (!this.tryKeyword(word)) this.fail(`Expected ${word}`);
  }

  /** `number` (RFC 9051: 0..2^32-1). */
  number(): number {
    return this.boundedNumber(0xffff_ffff, "number");
  }

  nzNumber(): number {
    const n = this.number();
    if (n === 0) this.fail("Expected a non-zero number");
    return n;
  }

  /** `number64` / `mod-sequence-value` (RFC 7162), limited to what a JS number holds exactly. */
  number64(): number {
    return this.boundedNumber(MAX_SAFE, "number");
  }

  private boundedNumber(max: number, what: string): number {
    const digits = this.scanWhile(isDigit);
    if (digits.length === 0) this.fail(`Expected a ${what}`);
    const n = Number(digits);
    if (digits.length > 16 || n > max) this.fail("Number too large");
    this.countArgument();
    return n;
  }

  sequenceSet(allowSaved = true): SequenceSet {
    const text = this.scanWhile(isSeqSetChar);
    if (this.peek() >= 0 && isAtomChar(this.peek())) this.fail("Invalid sequence set");
    const set = parseSequenceSet(text, allowSaved);
    if (set === null) this.fail(text.length === 0 ? "Expected a sequence set" : "Invalid sequence set");
    this.countArgument();
    return set;
  }

  isSequenceSetStart(): boolean {
    const b = this.peek();
    return isDigit(b) || b === 0x2a || b === 0x24;
  }

  // ---- strings ----

  /** `string`: a quoted string or a literal, as bytes. Binary literals only where `allowBinary`. */
  stringBytes(allowBinary = false): Uint8Array {
    const b = this.peek();
    if (b === DQUOTE) return this.quoted();
    if (this.isLiteralStart()) {
      const literal = this.literal(allowBinary);
      if (literal.bytes === null) this.fail("Literal content missing");
      return literal.bytes;
    }
    return this.fail(b < 0 ? "Missing argument" : "Expected a string");
  }

  isStringStart(): boolean {
    return this.peek() === DQUOTE || this.isLiteralStart();
  }

  /** `{` or `~{`: a lone `~` is an atom character (RFC 9051 ATOM-CHAR), so `DELETE ~` names a mailbox. */
  isLiteralStart(): boolean {
    const b = this.peek();
    return b === LBRACE || (b === TILDE && this.peek(1) === LBRACE);
  }

  private quoted(): Uint8Array {
    const text = this.source.text;
    this.pos++;
    const out: number[] = [];
    for (;;) {
      const b = text[this.pos];
      if (b === undefined || b === LF) this.fail("Unterminated quoted string");
      this.pos++;
      if (b === DQUOTE) break;
      if (b === BACKSLASH) {
        const escaped = text[this.pos];
        if (escaped !== DQUOTE && escaped !== BACKSLASH) this.fail("Invalid escape in quoted string");
        out.push(escaped);
        this.pos++;
        continue;
      }
      if (b === 0) this.fail("NUL byte not allowed in a quoted string");
      if (b === CR) this.fail("Bare CR not allowed in a quoted string");
      out.push(b);
    }
    this.countArgument();
    return Uint8Array.from(out);
  }

  /** Reads `{n}`/`{n+}`/`~{n}`/`~{n+}` + LF and returns the matching literal. */
  literal(allowBinary: boolean): CommandLiteral {
    const isBinary = this.skipByte(TILDE);
    if (isBinary && !allowBinary) this.fail("literal8 not allowed here");
    this.expectByte(LBRACE, "{");
    const digits = this.scanWhile(isDigit);
    if (digits.length === 0) this.fail("Invalid literal size");
    this.skipByte(0x2b);
    this.expectByte(RBRACE, "}");
    this.expectByte(LF, "end of line after a literal announcement");
    const literal = this.source.literals[this.literalIndex];
    if (literal === undefined) throw new PendingLiteralError(this.literalIndex);
    this.literalIndex++;
    this.countArgument();
    if (!literal.isBinary && literal.bytes !== null && literal.bytes.includes(0)) {
      this.fail("NUL byte not allowed in a literal (use literal8)");
    }
    return literal;
  }

  /** `astring`: atom (with `]`) or string, as bytes. */
  astringBytes(): Uint8Array {
    if (this.isStringStart()) return this.stringBytes();
    const start = this.pos;
    const value = this.scanWhile(isAstringChar);
    if (value.length === 0) this.fail(this.describeBad());
    this.countArgument();
    return this.source.text.slice(start, this.pos);
  }

  astring(): string {
    return utf8.decode(this.astringBytes());
  }

  string(): string {
    return utf8.decode(this.stringBytes());
  }

  /** `nstring`: NIL or a string. */
  nstring(): string | null {
    if (this.tryKeyword("NIL")) return null;
    return this.string();
  }

  /** `mailbox`: an astring decoded per the session's UTF8=ACCEPT state. */
  mailbox(): string {
    return this.decodeMailbox(this.astringBytes());
  }

  /** `list-mailbox`: like astring but `%` and `*` allowed unquoted (RFC 9051 §6.3.9). */
  listMailbox(): string {
    if (this.isStringStart()) return this.decodeMailbox(this.stringBytes());
    const start = this.pos;
    const value = this.scanWhile(isListChar);
    if (value.length === 0) this.fail(this.describeBad());
    this.countArgument();
    return this.decodeMailbox(this.source.text.subarray(start, this.pos));
  }

  private decodeMailbox(bytes: Uint8Array): string {
    try {
      return decodeMailboxName(bytes, this.options.isUtf8Accepted);
    } catch (error) {
      if (error instanceof MailboxNameError) this.fail(error.message);
      throw error;
    }
  }

  // ---- flags ----

  /** `flag`: `\Answered`… (system flags in canonical case), `\Extension` or a keyword atom. */
  flag(allowRecent = false): string {
    if (this.skipByte(BACKSLASH)) {
      if (allowRecent === false && this.peek() === 0x2a) this.fail("\\* is not a flag here");
      const name = this.atom();
      const canonical = canonicalSystemFlag(`\\${name}`);
      if (canonical === "\\Recent" && !allowRecent) this.fail("\\Recent cannot be set");
      return canonical;
    }
    return this.atom();
  }

  /** `flag-list`: `(` flags `)`. */
  flagList(): string[] {
    const flags: string[] = [];
    this.list(() => flags.push(this.flag()));
    return flags;
  }

  // ---- dates ----

  /** `date`: `DD-Mon-YYYY`, optionally in double quotes. */
  date(): ImapDate {
    const isQuoted = this.skipByte(DQUOTE);
    const text = this.scanWhile(
      (b) => isDigit(b) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2d,
    );
    if (isQuoted) this.expectByte(DQUOTE, "closing quote of a date");
    const match = /^([0-9]{1,2})-([A-Za-z]{3})-([0-9]{4})$/.exec(text);
    if (match === null) this.fail("Invalid date (expected DD-Mon-YYYY)");
    const day = Number(match[1]);
    const month = monthNumber(match[2]!);
    const year = Number(match[3]);
    if (month === 0 || !isValidDay(year, month, day)) this.fail("Invalid date");
    this.countArgument();
    return { year, month, day };
  }

  /** `date-time`: `"DD-Mon-YYYY HH:MM:SS +ZZZZ"` (day may be space-padded). */
  dateTime(): ImapDateTime {
    if (this.peek() !== DQUOTE) this.fail("Expected a quoted date-time");
    const text = latin1.decode(this.quoted());
    const match =
      /^([ 0-9][0-9])-([A-Za-z]{3})-([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2})$/.exec(
        text,
      );
    if (match === null) this.fail("Invalid date-time");
    const day = Number(match[1]!.trim());
    const month = monthNumber(match[2]!);
    const year = Number(match[3]);
    const hour = Number(match[4]);
    const minute = Number(match[5]);
    const second = Number(match[6]);
    const zoneHours = Number(match[8]);
    const zoneMins = Number(match[9]);
    if (
      month === 0 ||
      !isValidDay(year, month, day) ||
      hour > 23 ||
      minute > 59 ||
      second > 60 ||
      zoneMins > 59
    ) {
      this.fail("Invalid date-time");
    }
    const zoneMinutes = (match[7] === "-" ? -1 : 1) * (zoneHours * 60 + zoneMins);
    return { year, month, day, hour, minute, second, zoneMinutes };
  }
}

const SYSTEM_FLAGS = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft", "\\Recent"] as const;
const SYSTEM_FLAG_BY_UPPER = new Map(SYSTEM_FLAGS.map((f) => [f.toUpperCase(), f] as const));

/** `\seen` → `\Seen`; other flags unchanged (keywords are compared case-insensitively by the session). */
export function canonicalSystemFlag(flag: string): string {
  return SYSTEM_FLAG_BY_UPPER.get(flag.toUpperCase()) ?? flag;
}

function monthNumber(name: string): number {
  const lower = name.toLowerCase();
  return MONTHS.findIndex((m) => m.toLowerCase() === lower) + 1;
}

function isValidDay(year: number, month: number, day: number): boolean {
  if (day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

/** Decodes bytes as UTF-8, replacing invalid sequences (search strings, passwords, ID values). */
export const decodeUtf8 = (bytes: Uint8Array): string => utf8.decode(bytes);

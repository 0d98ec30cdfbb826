// The ManageSieve command reader (RFC 5804 §4 grammar): I/O-free and resumable at any byte. Feed it what
// the socket gave; it yields whole commands (a name and its arguments: quoted strings, literals {n+} or
// {n}, numbers), "need more", or a syntax error after skipping the bad line. Bounded: a line (literals
// aside) may not pass maxLineBytes, a literal may not pass maxLiteralBytes (it is skipped, then refused).

export type ManageSieveArg =
  | { readonly kind: "string"; readonly value: Buffer }
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "atom"; readonly value: string };

export type ReaderEvent =
  | { readonly kind: "command"; readonly name: string; readonly args: readonly ManageSieveArg[] }
  /** A line of arguments only (an AUTHENTICATE response), when read with `nextResponse`. */
  | { readonly kind: "response"; readonly args: readonly ManageSieveArg[] }
  | { readonly kind: "needMore" }
  /** The line was skipped whole; answer NO and go on. */
  | { readonly kind: "syntaxError"; readonly message: string }
  /** A literal over the limit was read past unseen; answer NO (QUOTA/MAXSIZE). */
  | { readonly kind: "literalTooBig"; readonly size: number }
  /** No line end within the limit: the client cannot be followed any more; close. */
  | { readonly kind: "tooLong" };

export interface ManageSieveReaderLimits {
  readonly maxLineBytes: number;
  readonly maxLiteralBytes: number;
}

/** RFC 5804 §4: a quoted string holds at most 1024 octets. */
export const MAX_QUOTED_BYTES = 1024;

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;

class NeedMore {}
const NEED_MORE = new NeedMore();

class LineSyntaxError {
  constructor(readonly message: string) {}
}

/** A literal too big to keep: how many of its bytes are still to be skipped once the line is known. */
class LiteralTooBig {
  constructor(
    readonly size: number,
    readonly literalStart: number,
  ) {}
}

export class ManageSieveReader {
  #pending: Buffer = Buffer.alloc(0);
  /** Bytes of an over-limit literal still to be dropped before the rest of its line. */
  #skipBytes = 0;
  /** Set while skipping: what to report once the line that held the literal ends. */
  #skippedLiteral: number | null = null;

  constructor(private readonly limits: ManageSieveReaderLimits) {}

  feed(chunk: Uint8Array): void {
    let bytes = Buffer.from(chunk);
    if (this.#skipBytes > 0) {
      const dropped = Math.min(this.#skipBytes, bytes.length);
      this.#skipBytes -= dropped;
      bytes = bytes.subarray(dropped);
    }
    this.#pending = this.#pending.length === 0 ? bytes : Buffer.concat([this.#pending, bytes]);
  }

  /** Drops every byte held (STARTTLS: nothing sent before the handshake may be executed after it). */
  discard(): void {
    this.#pending = Buffer.alloc(0);
  }

  next(): ReaderEvent {
    return this.#read(true);
  }

  /** Reads a line of bare arguments: the client's answer to an AUTHENTICATE challenge. */
  nextResponse(): ReaderEvent {
    return this.#read(false);
  }

  #read(hasName: boolean): ReaderEvent {
    if (this.#skipBytes > 0) return { kind: "needMore" };
    if (this.#skippedLiteral !== null) {
      // The rest of the line after an over-limit literal is dropped too.
      const end = this.#pending.indexOf("\r\n");
      if (end < 0) {
        if (this.#pending.length > this.limits.maxLineBytes) return { kind: "tooLong" };
        return { kind: "needMore" };
      }
      this.#pending = this.#pending.subarray(end + 2);
      const size = this.#skippedLiteral;
      this.#skippedLiteral = null;
      return { kind: "literalTooBig", size };
    }
    const parser = new LineParser(this.#pending, this.limits);
    try {
      const name = hasName ? parser.name() : "";
      const args = parser.args();
      this.#pending = this.#pending.subarray(parser.position);
      return hasName ? { kind: "command", name, args } : { kind: "response", args };
    } catch (error) {
      if (error === NEED_MORE) {
        return parser.lineBytes > this.limits.maxLineBytes ? { kind: "tooLong" } : { kind: "needMore" };
      }
      if (error instanceof LiteralTooBig) {
        const available = this.#pending.length - error.literalStart;
        this.#skipBytes = Math.max(0, error.size - available);
        this.#pending = this.#pending.subarray(
          Math.min(this.#pending.length, error.literalStart + error.size),
        );
        this.#skippedLiteral = error.size;
        return this.#read(hasName);
      }
      if (error instanceof LineSyntaxError) {
        const end = this.#pending.indexOf("\r\n", parser.position);
        if (end < 0) {
          if (this.#pending.length > this.limits.maxLineBytes) return { kind: "tooLong" };
          return { kind: "needMore" };
        }
        this.#pending = this.#pending.subarray(end + 2);
        return { kind: "syntaxError", message: error.message };
      }
      throw error;
    }
  }
}

/** One pass over the held bytes; throws NEED_MORE when they end before the line does. */
class LineParser {
  position = 0;
  /** Bytes of the line outside literals, for the line-length bound. */
  lineBytes = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly limits: ManageSieveReaderLimits,
  ) {}

  #byte(offset = 0): number {
    const at = this.position + offset;
    if (at >= this.buf.length) throw NEED_MORE;
    return this.buf[at] as number;
  }

  #advance(count: number): void {
    this.position += count;
    this.lineBytes += count;
  }

  name(): string {
    const start = this.position;
    while (isAtomChar(this.#byte())) this.#advance(1);
    const name = this.buf.toString("latin1", start, this.position).toUpperCase();
    if (name === "") throw new LineSyntaxError("Expected a command name");
    return name;
  }

  args(): ManageSieveArg[] {
    const args: ManageSieveArg[] = [];
    for (;;) {
      const byte = this.#byte();
      if (byte === CR) {
        if (this.#byte(1) !== LF) throw new LineSyntaxError("Bare CR in command line");
        this.#advance(2);
        return args;
      }
      if (byte === SP) {
        this.#advance(1);
        continue;
      }
      if (args.length >= 8) throw new LineSyntaxError("Too many arguments");
      if (byte === DQUOTE) args.push({ kind: "string", value: this.#quoted() });
      else if (byte === LBRACE) args.push({ kind: "string", value: this.#literal() });
      else if (byte >= 0x30 && byte <= 0x39) args.push(this.#number());
      else if (isAtomChar(byte)) {
        const start = this.position;
        while (isAtomChar(this.#byte())) this.#advance(1);
        args.push({ kind: "atom", value: this.buf.toString("latin1", start, this.position) });
      } else throw new LineSyntaxError("Unexpected character in command line");
    }
  }

  #quoted(): Buffer {
    this.#advance(1);
    const bytes: number[] = [];
    for (;;) {
      const byte = this.#byte();
      if (byte === DQUOTE) {
        this.#advance(1);
        return Buffer.from(bytes);
      }
      if (byte === CR || byte === LF || byte === 0)
        throw new LineSyntaxError("Line break in a quoted string");
      if (byte === BACKSLASH) {
        const escaped = this.#byte(1);
        if (escaped !== DQUOTE && escaped !== BACKSLASH)
          throw new LineSyntaxError("Bad escape in a quoted string");
        bytes.push(escaped);
        this.#advance(2);
      } else {
        bytes.push(byte);
        this.#advance(1);
      }
      if (bytes.length > MAX_QUOTED_BYTES) throw new LineSyntaxError("Quoted string too long; use a literal");
    }
  }

  #literal(): Buffer {
    // {n+} CRLF or {n} CRLF (RFC 5804 §4 literal-c2s; the synchronizing form is accepted without a wait).
    const close = this.buf.indexOf("}", this.position);
    if (close < 0) {
      if (this.buf.length - this.position > 24) throw new LineSyntaxError("Bad literal");
      throw NEED_MORE;
    }
    const spec = this.buf.toString("latin1", this.position + 1, close);
    const match = /^([0-9]{1,10})\+?$/.exec(spec);
    if (!match) throw new LineSyntaxError("Bad literal");
    this.#advance(close + 1 - this.position);
    if (this.#byte() !== CR || this.#byte(1) !== LF)
      throw new LineSyntaxError("A literal's size must end the line");
    this.#advance(2);
    const size = Number(match[1]);
    if (size > this.limits.maxLiteralBytes) throw new LiteralTooBig(size, this.position);
    if (this.position + size > this.buf.length) throw NEED_MORE;
    const value = this.buf.subarray(this.position, this.position + size);
    this.position += size;
    return Buffer.from(value);
  }

  #number(): ManageSieveArg {
    const start = this.position;
    while (isDigit(this.#byte())) this.#advance(1);
    const text = this.buf.toString("latin1", start, this.position);
    const value = Number(text);
    if (text.length > 10 || !Number.isSafeInteger(value)) throw new LineSyntaxError("Number too large");
    return { kind: "number", value };
  }
}

const isDigit = (byte: number): boolean => byte >= 0x30 && byte <= 0x39;
const isAtomChar = (byte: number): boolean =>
  (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x2a || byte === 0x3d;

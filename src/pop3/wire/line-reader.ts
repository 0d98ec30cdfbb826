// Splits the POP3 client byte stream into command lines (RFC 1939 §3: CRLF-terminated; a bare LF is
// accepted too). Resumable at any byte and bounded: a line longer than `maxLineBytes` is reported, not held.

export type LineEvent =
  | { readonly kind: "line"; readonly bytes: Buffer }
  /** More than maxLineBytes without a line end: the bytes were dropped; the caller should hang up. */
  | { readonly kind: "tooLong" };

const LF = 0x0a;
const CR = 0x0d;

export class LineReader {
  #buffer: Buffer = Buffer.alloc(0);
  #offset = 0;

  constructor(private readonly maxLineBytes: number) {}

  feed(chunk: Buffer): void {
    const rest = this.#buffer.subarray(this.#offset);
    this.#buffer = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
    this.#offset = 0;
  }

  /** The next complete line without its line end, `tooLong`, or null when more bytes are needed. */
  next(): LineEvent | null {
    const end = this.#buffer.indexOf(LF, this.#offset);
    if (end < 0) {
      if (this.#buffer.length - this.#offset > this.maxLineBytes) {
        this.discard();
        return { kind: "tooLong" };
      }
      return null;
    }
    const start = this.#offset;
    this.#offset = end + 1;
    const lineEnd = end > start && this.#buffer[end - 1] === CR ? end - 1 : end;
    if (lineEnd - start > this.maxLineBytes) return { kind: "tooLong" };
    return { kind: "line", bytes: this.#buffer.subarray(start, lineEnd) };
  }

  /**
   * Up to `max` complete lines buffered after those already returned (pipelined commands), without their
   * line ends and without consuming them: next() still returns each.
   */
  peekLines(max: number): Buffer[] {
    const lines: Buffer[] = [];
    for (let start = this.#offset; lines.length < max; ) {
      const end = this.#buffer.indexOf(LF, start);
      if (end < 0) break;
      const lineEnd = end > start && this.#buffer[end - 1] === CR ? end - 1 : end;
      lines.push(this.#buffer.subarray(start, lineEnd));
      start = end + 1;
    }
    return lines;
  }

  /** Whether a complete line is already buffered (the client pipelined). */
  get hasLine(): boolean {
    return this.#buffer.indexOf(LF, this.#offset) >= 0;
  }

  /** Bytes held beyond the lines already returned. */
  get bufferedBytes(): number {
    return this.#buffer.length - this.#offset;
  }

  /** Drops everything buffered (STLS: RFC 2595 §3.1, nothing sent before the handshake may be used). */
  discard(): void {
    this.#buffer = Buffer.alloc(0);
    this.#offset = 0;
  }
}

// Framing of an SMTP/LMTP byte stream, I/O-free and resumable at any byte: command lines (RFC 5321
// §4.1.1, bounded length) and the DATA dot-stream (§4.5.2: dot-unstuffing, end at CRLF "." CRLF only).

export type ReaderEvent =
  /** One command line without its line break. */
  | { readonly kind: "line"; readonly line: Buffer }
  /** A command line longer than the limit ended; its bytes were discarded. */
  | { readonly kind: "lineTooLong" }
  /** Message bytes with dot-stuffing removed, line breaks as sent. */
  | { readonly kind: "data"; readonly bytes: Buffer }
  /** The terminating CRLF "." CRLF was read; the reader is back in command mode. */
  | { readonly kind: "dataEnd" }
  /** The last byte of a BDAT chunk (RFC 3030) was returned; the reader is back in command mode. */
  | { readonly kind: "chunkEnd" };

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const EMPTY = Buffer.alloc(0);

/**
 * Contract: `push` bytes as they arrive, then call `next` until it returns undefined (needs more bytes).
 * The reader parses one command line at a time and never looks past it until `next` is called again, so
 * a session can switch to data mode (`beginData`) or drop pipelined bytes (`discard`, STARTTLS) between
 * lines. Only CRLF "." CRLF ends data: a bare-LF "." line is message content (SMTP smuggling).
 */
export class SmtpReader {
  readonly #maxLineBytes: number;
  #buffer: Buffer = EMPTY;
  #mode: "command" | "data" | "chunk" = "command";
  /** In chunk mode: bytes of the BDAT chunk not yet returned. */
  #chunkRemaining = 0;
  /** In command mode: discarding an over-long line up to its end. */
  #isSkippingLine = false;
  /** In data mode: the next byte starts a line (the start of data counts as one). */
  #atLineStart = true;
  /** In data mode: the end was read; it is reported after the data before it. */
  #isEndPending = false;

  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes;
  }

  get isInData(): boolean {
    return this.#mode === "data";
  }

  /** Bytes held but not yet returned as events. */
  get bufferedBytes(): number {
    return this.#buffer.length;
  }

  push(chunk: Uint8Array): void {
    const bytes = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#buffer = this.#buffer.length === 0 ? bytes : Buffer.concat([this.#buffer, bytes]);
  }

  /** Switches to the DATA dot-stream; call after replying 354. */
  beginData(): void {
    this.#mode = "data";
    this.#atLineStart = true;
  }

  /**
   * Switches to reading exactly `bytes` raw octets of a BDAT chunk (RFC 3030 §2: no dot-stuffing, no
   * line structure); call right after the BDAT line. A zero-length chunk ends at the next `next`.
   */
  beginChunk(bytes: number): void {
    this.#mode = "chunk";
    this.#chunkRemaining = bytes;
  }

  /** Drops every buffered byte (pipelined input after STARTTLS must never be executed). */
  discard(): void {
    this.#buffer = EMPTY;
    this.#isSkippingLine = false;
  }

  next(): ReaderEvent | undefined {
    if (this.#mode === "chunk") return this.#nextChunk();
    return this.#mode === "command" ? this.#nextLine() : this.#nextData();
  }

  #nextChunk(): ReaderEvent | undefined {
    if (this.#chunkRemaining === 0) {
      this.#mode = "command";
      return { kind: "chunkEnd" };
    }
    if (this.#buffer.length === 0) return undefined;
    const take = Math.min(this.#chunkRemaining, this.#buffer.length);
    const bytes = Buffer.from(this.#buffer.subarray(0, take));
    this.#buffer = this.#buffer.subarray(take);
    this.#chunkRemaining -= take;
    return { kind: "data", bytes };
  }

  #nextLine(): ReaderEvent | undefined {
    const end = this.#buffer.indexOf(LF);
    if (end < 0) {
      if (this.#buffer.length > this.#maxLineBytes) {
        this.#isSkippingLine = true;
        this.#buffer = EMPTY;
      }
      return undefined;
    }
    const lineEnd = end > 0 && this.#buffer[end - 1] === CR ? end - 1 : end;
    const line = this.#buffer.subarray(0, lineEnd);
    this.#buffer = this.#buffer.subarray(end + 1);
    if (this.#isSkippingLine || line.length > this.#maxLineBytes) {
      this.#isSkippingLine = false;
      return { kind: "lineTooLong" };
    }
    return { kind: "line", line: Buffer.from(line) };
  }

  #nextData(): ReaderEvent | undefined {
    if (this.#isEndPending) {
      this.#isEndPending = false;
      this.#mode = "command";
      return { kind: "dataEnd" };
    }
    const buffer = this.#buffer;
    const pieces: Buffer[] = [];
    let pos = 0;
    let isEnd = false;
    while (pos < buffer.length) {
      if (this.#atLineStart && buffer[pos] === DOT) {
        // Up to three bytes tell ".\r\n" (the end) from a stuffed dot.
        if (pos + 1 >= buffer.length || (buffer[pos + 1] === CR && pos + 2 >= buffer.length)) break;
        if (buffer[pos + 1] === CR && buffer[pos + 2] === LF) {
          pos += 3;
          isEnd = true;
          break;
        }
        pos += 1; // the stuffed dot goes
        this.#atLineStart = false;
      }
      const lf = buffer.indexOf(LF, pos);
      if (lf < 0) {
        // A trailing CR stays buffered, so the CR of a CRLF is always seen beside its LF.
        const keep = buffer[buffer.length - 1] === CR ? buffer.length - 1 : buffer.length;
        if (keep > pos) {
          pieces.push(buffer.subarray(pos, keep));
          this.#atLineStart = false;
        }
        pos = keep;
        break;
      }
      pieces.push(buffer.subarray(pos, lf + 1));
      // Only CRLF starts a new line; after a bare LF a "." line is content (SMTP smuggling).
      this.#atLineStart = lf > 0 && buffer[lf - 1] === CR;
      pos = lf + 1;
    }
    this.#buffer = Buffer.from(buffer.subarray(pos));
    if (isEnd) {
      if (pieces.length === 0) {
        this.#mode = "command";
        return { kind: "dataEnd" };
      }
      this.#isEndPending = true;
    }
    return pieces.length > 0 ? { kind: "data", bytes: Buffer.concat(pieces) } : undefined;
  }
}

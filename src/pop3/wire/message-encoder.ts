// Streams a stored message as a RETR/TOP body (RFC 1939 §3, §7 TOP): CRLF line ends (a bare LF becomes
// CRLF), byte-stuffing of lines that begin with ".", and the "." terminator; optionally only the header,
// the blank line and the first n body lines. State carries across chunks, so any split point is safe.

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const TERMINATOR = Buffer.from(".\r\n");
const CRLF_TERMINATOR = Buffer.from("\r\n.\r\n");

export class MessageEncoder {
  #isAtLineStart = true;
  #wasCr = false;
  #lineBytes = 0;
  #isInHeader = true;
  #bodyLines = 0;
  #isComplete = false;

  /** `bodyLineLimit`: TOP's n (header, blank line and n body lines); null sends everything (RETR). */
  constructor(private readonly bodyLineLimit: number | null = null) {}

  /** True once TOP's limit is reached: the caller may stop reading the message. */
  get isComplete(): boolean {
    return this.#isComplete;
  }

  /** Wire bytes for the next chunk of the stored message. */
  encode(chunk: Uint8Array): Buffer {
    if (this.#isComplete) return Buffer.alloc(0);
    // Worst case every byte is an LF (→ CRLF) or a line-leading dot (→ "..").
    const out = Buffer.allocUnsafe(chunk.length * 2);
    let length = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] as number;
      if (byte === LF) {
        if (!this.#wasCr) out[length++] = CR;
        out[length++] = LF;
        this.#endLine();
        if (this.#isComplete) break;
        continue;
      }
      if (this.#isAtLineStart && byte === DOT) out[length++] = DOT;
      out[length++] = byte;
      this.#isAtLineStart = false;
      this.#lineBytes++;
      this.#wasCr = byte === CR;
    }
    return out.subarray(0, length);
  }

  /** The closing bytes: a line end if the message did not end with one, then ".". */
  finish(): Buffer {
    if (this.#isAtLineStart || this.#isComplete) return TERMINATOR;
    // A message ending in a bare CR gets only the LF it lacks.
    return this.#wasCr ? Buffer.from("\n.\r\n") : CRLF_TERMINATOR;
  }

  #endLine(): void {
    // The line's content, not counting the CR of its CRLF.
    const contentBytes = this.#wasCr ? this.#lineBytes - 1 : this.#lineBytes;
    this.#isAtLineStart = true;
    this.#wasCr = false;
    this.#lineBytes = 0;
    if (this.bodyLineLimit === null) return;
    if (this.#isInHeader) {
      if (contentBytes === 0) {
        this.#isInHeader = false;
        if (this.bodyLineLimit === 0) this.#isComplete = true;
      }
      return;
    }
    this.#bodyLines++;
    if (this.#bodyLines >= this.bodyLineLimit) this.#isComplete = true;
  }
}

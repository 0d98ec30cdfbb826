// Streams a stored message as a RETR/TOP body (RFC 1939 §3, §7 TOP): CRLF line ends (a bare LF becomes
// CRLF), byte-stuffing of lines that begin with ".", and the "." terminator; optionally only the header,
// the blank line and the first n body lines. State carries across chunks, so any split point is safe.

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const CR_BYTES = Buffer.from([CR]);
const DOT_BYTES = Buffer.from([DOT]);
const TERMINATOR = Buffer.from(".\r\n");
const CRLF_TERMINATOR = Buffer.from("\r\n.\r\n");
const EMPTY = Buffer.alloc(0);
const LF_DOT = Buffer.from("\n.");
const LF_TERMINATOR = Buffer.from("\n.\r\n");

export class MessageEncoder {
  #isAtLineStart = true;
  #wasCr = false;
  /** Bytes of the current line so far, a CR before its LF included. */
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

  /**
   * Wire bytes for the next chunk of the stored message. Lines are found with indexOf (memchr) rather
   * than byte by byte; a chunk that needs no CR and no stuffing dot, the usual case, is returned as is.
   */
  encode(chunk: Uint8Array): Buffer {
    if (this.#isComplete || chunk.length === 0) return EMPTY;
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    // The output is the chunk cut at the insertion points, with the inserted bytes between the pieces.
    const pieces: Buffer[] = [];
    let copiedUpTo = 0;
    let at = 0;
    while (at < bytes.length) {
      if (this.#isAtLineStart && bytes[at] === DOT) {
        pieces.push(bytes.subarray(copiedUpTo, at), DOT_BYTES);
        copiedUpTo = at;
      }
      const lineFeed = bytes.indexOf(LF, at);
      if (lineFeed === -1) {
        this.#lineBytes += bytes.length - at;
        this.#wasCr = bytes[bytes.length - 1] === CR;
        this.#isAtLineStart = false;
        break;
      }
      const hasCr = lineFeed > at ? bytes[lineFeed - 1] === CR : this.#wasCr;
      if (!hasCr) {
        pieces.push(bytes.subarray(copiedUpTo, lineFeed), CR_BYTES);
        copiedUpTo = lineFeed;
      }
      const lineBytes = this.#lineBytes + lineFeed - at;
      at = lineFeed + 1;
      this.#isAtLineStart = true;
      this.#wasCr = false;
      this.#lineBytes = 0;
      this.#endLine(hasCr ? lineBytes - 1 : lineBytes);
      if (this.#isComplete) {
        pieces.push(bytes.subarray(copiedUpTo, at));
        return Buffer.concat(pieces);
      }
    }
    if (pieces.length === 0) return bytes;
    pieces.push(bytes.subarray(copiedUpTo));
    return Buffer.concat(pieces);
  }

  /** The closing bytes: a line end if the message did not end with one, then ".". */
  finish(): Buffer {
    if (this.#isAtLineStart || this.#isComplete) return TERMINATOR;
    // A message ending in a bare CR gets only the LF it lacks.
    return this.#wasCr ? LF_TERMINATOR : CRLF_TERMINATOR;
  }

  /** Counts a finished line (its content, without CR LF) against TOP's limit. */
  #endLine(contentBytes: number): void {
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

/**
 * RETR's wire bytes for a whole message known to have no bare LF (every LF follows a CR: its index's
 * crlfSize is its size): the same bytes as MessageEncoder's encode and finish, but only the lines that
 * begin with "." change, so one search for LF "." replaces a search per line (a third of a RETR's CPU
 * beside the copy out of the store and into the socket). The message's own bytes are not copied.
 */
export function encodeWholeCrlfMessage(bytes: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  if (bytes[0] === DOT) pieces.push(DOT_BYTES);
  let copiedUpTo = 0;
  for (let at = bytes.indexOf(LF_DOT); at !== -1; at = bytes.indexOf(LF_DOT, at + 2)) {
    pieces.push(bytes.subarray(copiedUpTo, at + 1), DOT_BYTES);
    copiedUpTo = at + 1;
  }
  if (copiedUpTo < bytes.length) pieces.push(copiedUpTo === 0 ? bytes : bytes.subarray(copiedUpTo));
  const last = bytes[bytes.length - 1];
  pieces.push(last === undefined || last === LF ? TERMINATOR : last === CR ? LF_TERMINATOR : CRLF_TERMINATOR);
  return pieces;
}

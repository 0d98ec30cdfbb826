// Byte-level helpers shared by the MIME parsers (RFC 5322 §2.1 lines end in CRLF; bare LF is tolerated).
// Everything works on Buffer views over the caller's bytes: no copies, no regexes over raw bytes.

export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HTAB = 0x09;

/** A Buffer view over the same memory as `bytes` (no copy). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Index of the next LF in [from, end), or -1. */
export function indexOfLf(buf: Buffer, from: number, end: number): number {
  if (from >= end) return -1;
  const found = buf.indexOf(LF, from);
  return found >= 0 && found < end ? found : -1;
}

/** Number of LF bytes in [start, end): what IMAP reports as a body's line count (as Dovecot does). */
export function countLines(buf: Buffer, start: number, end: number): number {
  let lines = 0;
  let pos = start;
  const view = buf.subarray(start, end);
  pos = 0;
  for (;;) {
    const found = view.indexOf(LF, pos);
    if (found < 0) return lines;
    lines++;
    pos = found + 1;
  }
}

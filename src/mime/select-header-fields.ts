// BODY[HEADER.FIELDS (...)] and BODY[HEADER.FIELDS.NOT (...)] (RFC 9051 §6.4.5): the original bytes of the
// matching (or non-matching) fields, in their order, followed by the blank line that ends a header.

import { asBuffer } from "./bytes.js";
import { parseHeaderBlock } from "./header.js";

const CRLF = Buffer.from("\r\n", "latin1");

/** Selects header fields by name (case-insensitive); `exclude` inverts the match. Always ends with CRLF CRLF-style blank line. */
export function selectHeaderFields(
  headerBytes: Uint8Array,
  names: readonly string[],
  exclude: boolean,
): Uint8Array {
  const buf = asBuffer(headerBytes);
  const wanted = new Set(names.map((name) => name.toLowerCase()));
  const { fields } = parseHeaderBlock(buf, 0, buf.length);
  const pieces: Buffer[] = [];
  for (const field of fields) {
    if (wanted.has(field.name) === exclude) continue;
    const bytes = buf.subarray(field.start, field.end);
    pieces.push(bytes);
    if (bytes[bytes.length - 1] !== 0x0a) pieces.push(CRLF);
  }
  pieces.push(CRLF);
  return Buffer.concat(pieces);
}

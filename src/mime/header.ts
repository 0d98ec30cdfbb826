// Splits a header block from its body and finds each field with its raw byte range (RFC 5322 §2.2, §3.2.2
// folding; RFC 2045 §3 MIME headers). Tolerates LF-only lines, lines without a colon and a missing blank line.

import { CR, HTAB, indexOfLf, LF, SP } from "./bytes.js";
import { decodeHeaderBytes } from "./header-text.js";

/** One header field as it sits in the raw message; offsets are absolute. */
export interface HeaderField {
  /** Lower-case field name. */
  readonly name: string;
  /** First byte of the field name. */
  readonly start: number;
  /** First byte after the colon. */
  readonly valueStart: number;
  /** One past the field's last byte, including its final line break when present. */
  readonly end: number;
}

/** A parsed header block: its fields and where the body begins. */
export interface HeaderBlock {
  readonly fields: readonly HeaderField[];
  /** One past the last header line (where the blank line starts, or the region end). */
  readonly headerEnd: number;
  /** First byte of the body: after the blank line, or the region end when there is none. */
  readonly bodyStart: number;
}

/** Reads the header fields of the region [start, end) of `buf`; never throws. */
export function parseHeaderBlock(buf: Buffer, start: number, end: number): HeaderBlock {
  const fields: HeaderField[] = [];
  let pos = start;
  let current: { name: string; start: number; valueStart: number } | null = null;
  let currentEnd = start;
  const flush = (): void => {
    if (current !== null) fields.push({ ...current, end: currentEnd });
    current = null;
  };
  while (pos < end) {
    const first = buf[pos] as number;
    if (first === LF) {
      flush();
      return { fields, headerEnd: pos, bodyStart: pos + 1 };
    }
    if (first === CR && pos + 1 < end && buf[pos + 1] === LF) {
      flush();
      return { fields, headerEnd: pos, bodyStart: pos + 2 };
    }
    const lf = indexOfLf(buf, pos, end);
    const lineEnd = lf < 0 ? end : lf + 1;
    if (first === SP || first === HTAB) {
      // A continuation line (folding); with no field before it, it is junk and ignored.
      if (current !== null) currentEnd = lineEnd;
    } else {
      flush();
      const colon = buf.subarray(pos, lineEnd).indexOf(0x3a);
      if (colon > 0) {
        let nameEnd = pos + colon;
        while (nameEnd > pos && (buf[nameEnd - 1] === SP || buf[nameEnd - 1] === HTAB)) nameEnd--;
        if (nameEnd > pos) {
          current = {
            name: buf.toString("latin1", pos, nameEnd).toLowerCase(),
            start: pos,
            valueStart: pos + colon + 1,
          };
          currentEnd = lineEnd;
        }
      }
    }
    pos = lineEnd;
  }
  flush();
  return { fields, headerEnd: end, bodyStart: end };
}

/** Caps how much of one field value is interpreted (the raw bytes stay untouched for FETCH). */
const MAX_FIELD_VALUE_BYTES = 256 * 1024;

/** The field's value unfolded (CR and LF removed, RFC 5322 §2.2.3) and trimmed, as a best-effort string. */
export function readFieldValue(buf: Buffer, field: HeaderField): string {
  const end = Math.min(field.end, field.valueStart + MAX_FIELD_VALUE_BYTES);
  const text = decodeHeaderBytes(buf.subarray(field.valueStart, end));
  return text.replace(/[\r\n]+/g, "").trim();
}

/** The last field named `name` (lower-case), or null. RFC 5322 fields that occur once: the last one wins, as in Dovecot. */
export function findLastField(fields: readonly HeaderField[], name: string): HeaderField | null {
  for (let i = fields.length - 1; i >= 0; i--) {
    const field = fields[i] as HeaderField;
    if (field.name === name) return field;
  }
  return null;
}

/** The first field named `name`, or null (MIME fields: the first one wins). */
export function findFirstField(fields: readonly HeaderField[], name: string): HeaderField | null {
  for (const field of fields) if (field.name === name) return field;
  return null;
}

// Turns raw header bytes into a string (RFC 6532 §3.2 allows UTF-8 in headers): valid UTF-8 is kept,
// any byte that is not part of a valid UTF-8 sequence is read as Latin-1. Never throws.

import { TextDecoder } from "node:util";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes header bytes best-effort: UTF-8 where valid, Latin-1 for stray 8-bit bytes. */
export function decodeHeaderBytes(bytes: Uint8Array): string {
  let isAscii = true;
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i] as number) >= 0x80) {
      isAscii = false;
      break;
    }
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isAscii) return buf.toString("latin1");
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return decodeMixed(bytes);
  }
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there does not start one. */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] as number;
  let length: number;
  let min: number;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    length = 2;
    min = 0x80;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    min = 0x800;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    min = 0x10000;
  } else return 0;
  if (i + length > bytes.length) return 0;
  let code = b0 & (0x7f >> length);
  for (let k = 1; k < length; k++) {
    const b = bytes[i + k] as number;
    if ((b & 0xc0) !== 0x80) return 0;
    code = (code << 6) | (b & 0x3f);
  }
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
  return length;
}

function decodeMixed(bytes: Uint8Array): string {
  const out: string[] = [];
  let runStart = 0;
  let i = 0;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    const length = utf8SequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    if (i > runStart) out.push(buf.toString("utf8", runStart, i));
    out.push(String.fromCharCode(b));
    i++;
    runStart = i;
  }
  if (i > runStart) out.push(buf.toString("utf8", runStart, i));
  return out.join("");
}

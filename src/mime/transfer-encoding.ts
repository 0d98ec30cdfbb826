// Content-Transfer-Encoding decoding (RFC 2045 §6.7 quoted-printable, §6.8 base64), tolerant of junk:
// invalid base64 characters are skipped, broken `=` escapes in quoted-printable are kept literally.

const BASE64_VALUES = (() => {
  const table = new Int8Array(256).fill(-1);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  // URL-safe variants show up in the wild.
  table[0x2d] = 62;
  table[0x5f] = 63;
  return table;
})();

/** Decodes base64, skipping anything outside the alphabet; `=` ends a quantum so concatenated chunks decode. */
export function decodeBase64(bytes: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(Math.floor((bytes.length * 3) / 4) + 3);
  let length = 0;
  let bits = 0;
  let count = 0;
  const flushPartial = (): void => {
    if (count === 2) out[length++] = (bits >> 4) & 0xff;
    else if (count === 3) {
      out[length++] = (bits >> 10) & 0xff;
      out[length++] = (bits >> 2) & 0xff;
    }
    bits = 0;
    count = 0;
  };
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] as number;
    const value = BASE64_VALUES[c] as number;
    if (value < 0) {
      if (c === 0x3d) flushPartial();
      continue;
    }
    bits = (bits << 6) | value;
    count++;
    if (count === 4) {
      out[length++] = (bits >> 16) & 0xff;
      out[length++] = (bits >> 8) & 0xff;
      out[length++] = bits & 0xff;
      bits = 0;
      count = 0;
    }
  }
  flushPartial();
  return out.subarray(0, length);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Decodes quoted-printable: `=XX` escapes, soft line breaks (`=` before CRLF/LF, trailing blanks allowed). */
export function decodeQuotedPrintable(bytes: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(bytes.length);
  let length = 0;
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const c = bytes[i] as number;
    if (c === 0x3d) {
      const h1 = i + 1 < n ? hexValue(bytes[i + 1] as number) : -1;
      const h2 = i + 2 < n ? hexValue(bytes[i + 2] as number) : -1;
      if (h1 >= 0 && h2 >= 0) {
        out[length++] = (h1 << 4) | h2;
        i += 3;
        continue;
      }
      let j = i + 1;
      while (j < n && (bytes[j] === 0x20 || bytes[j] === 0x09)) j++;
      if (j >= n) {
        i = n;
        continue;
      }
      if (bytes[j] === 0x0a) {
        i = j + 1;
        continue;
      }
      if (bytes[j] === 0x0d && (j + 1 >= n || bytes[j + 1] === 0x0a)) {
        i = j + 2;
        continue;
      }
      out[length++] = c;
      i++;
      continue;
    }
    if (c === 0x20 || c === 0x09) {
      // Trailing whitespace before a line break was added in transport (RFC 2045 §6.7 rule 3): drop it.
      let j = i;
      while (j < n && (bytes[j] === 0x20 || bytes[j] === 0x09)) j++;
      if (j < n && (bytes[j] === 0x0a || (bytes[j] === 0x0d && bytes[j + 1] === 0x0a))) {
        i = j;
        continue;
      }
      while (i < j) out[length++] = bytes[i++] as number;
      continue;
    }
    out[length++] = c;
    i++;
  }
  return out.subarray(0, length);
}

/** Decodes a part body per its Content-Transfer-Encoding; identity for 7bit/8bit/binary and unknown values. */
export function decodeTransferEncoding(bytes: Uint8Array, encoding: string): Uint8Array {
  const name = encoding.trim().toLowerCase();
  if (name === "base64") return decodeBase64(bytes);
  if (name === "quoted-printable") return decodeQuotedPrintable(bytes);
  return bytes;
}

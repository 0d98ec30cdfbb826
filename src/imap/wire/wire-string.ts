// Writing strings in IMAP syntax (RFC 9051 §4.3): atom when possible, quoted when safe, literal
// otherwise; literal sizes count UTF-8 bytes. Shared by the command formatter and the response writer.

const encoder = new TextEncoder();
const MAX_QUOTED_BYTES = 1024;

export interface StringStyle {
  /** `+` writes non-synchronizing literals `{n+}` (client side, LITERAL+); "" writes `{n}`. */
  readonly literalMarker: "" | "+";
  /** UTF-8 may appear in quoted strings (RFC 6855 utf8-quoted). */
  readonly isUtf8Quoted: boolean;
}

export const SERVER_STYLE: StringStyle = { literalMarker: "", isUtf8Quoted: false };

const isAstringAtomChar = (code: number): boolean =>
  code > 0x20 && code < 0x7f && !'(){%*"\\'.includes(String.fromCharCode(code));

/** Whether `value` can be sent as a quoted string without loss. */
export function canQuote(value: string, style: StringStyle): boolean {
  const bytes = encoder.encode(value);
  if (bytes.length > MAX_QUOTED_BYTES) return false;
  for (const b of bytes) {
    if (b === 0 || b === 0x0a || b === 0x0d) return false;
    if (b >= 0x80 && !style.isUtf8Quoted) return false;
  }
  return true;
}

/** `string`: quoted if safe, else a literal (the literal's bytes follow the announcement inline). */
export function formatString(value: string, style: StringStyle): string {
  if (canQuote(value, style)) return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return `{${encoder.encode(value).length}${style.literalMarker}}\r\n${value}`;
}

/** `astring`: a bare atom when every character allows it (and it is not `NIL`), else a string. */
export function formatAstring(value: string, style: StringStyle): string {
  if (
    value.length > 0 &&
    value.toUpperCase() !== "NIL" &&
    [...value].every((c) => isAstringAtomChar(c.charCodeAt(0)))
  ) {
    return value;
  }
  return formatString(value, style);
}

/** `nstring`: NIL for null. */
export function formatNstring(value: string | null, style: StringStyle): string {
  return value === null ? "NIL" : formatString(value, style);
}

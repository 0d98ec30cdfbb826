// Renders IMAP strings for ENVELOPE and BODYSTRUCTURE (RFC 9051 §4.3 string/nstring, §9 `quoted`, `literal`):
// a quoted string when every character may appear in one, otherwise a literal `{n}\r\n` with n in UTF-8 octets.

/** NIL, the IMAP null. */
export const NIL = "NIL";

function canBeQuoted(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // TEXT-CHAR: any 7-bit CHAR except CR and LF; NUL is never allowed.
    if (c === 0 || c === 0x0a || c === 0x0d || c > 0x7e) return false;
  }
  return true;
}

/** A string as IMAP `string`: quoted with `\` escapes when possible, else a literal. NUL characters are dropped. */
export function renderString(text: string): string {
  const clean = text.includes("\0") ? text.replace(/\0/g, "") : text;
  if (canBeQuoted(clean)) return `"${clean.replace(/[\\"]/g, "\\$&")}"`;
  return `{${Buffer.byteLength(clean, "utf8")}}\r\n${clean}`;
}

/** A string or NIL (IMAP `nstring`). */
export function renderNString(text: string | null): string {
  return text === null ? NIL : renderString(text);
}

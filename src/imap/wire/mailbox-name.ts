// Mailbox names on the wire: modified UTF-7 (RFC 3501 §5.1.3, kept by RFC 9051 §5.1.3 for
// IMAP4rev1 clients) and raw UTF-8 once a client has enabled UTF8=ACCEPT (RFC 6855 §3).

/** Why a mailbox name could not be decoded; `message` is safe to show to the client. */
export class MailboxNameError extends Error {
  override readonly name = "MailboxNameError";
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
const B64_VALUE = new Map([...B64].map((ch, i) => [ch.charCodeAt(0), i] as const));
const AMPERSAND = 0x26;
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

const isDirect = (code: number): boolean => code >= 0x20 && code <= 0x7e;

/** Encodes a Unicode name as modified UTF-7: printable ASCII as is, `&` as `&-`, the rest base64 of UTF-16. */
export function encodeModifiedUtf7(name: string): string {
  let out = "";
  let pending: number[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    const bytes: number[] = [];
    for (const unit of pending) bytes.push(unit >> 8, unit & 0xff);
    let bits = 0;
    let buffer = 0;
    out += "&";
    for (const byte of bytes) {
      buffer = (buffer << 8) | byte;
      bits += 8;
      while (bits >= 6) {
        bits -= 6;
        out += B64[(buffer >> bits) & 0x3f];
      }
      buffer &= (1 << bits) - 1;
    }
    if (bits > 0) out += B64[(buffer << (6 - bits)) & 0x3f];
    out += "-";
    pending = [];
  };
  for (let i = 0; i < name.length; i++) {
    const unit = name.charCodeAt(i);
    if (isDirect(unit)) {
      flush();
      out += unit === AMPERSAND ? "&-" : name[i];
    } else {
      pending.push(unit);
    }
  }
  flush();
  return out;
}

/** Decodes modified UTF-7; throws `MailboxNameError` on any form an encoder would not have produced. */
export function decodeModifiedUtf7(encoded: string): string {
  let out = "";
  let i = 0;
  while (i < encoded.length) {
    const code = encoded.charCodeAt(i);
    if (!isDirect(code)) throw new MailboxNameError("Mailbox name contains a non-ASCII byte (not mUTF-7)");
    if (code !== AMPERSAND) {
      out += encoded[i];
      i++;
      continue;
    }
    const end = encoded.indexOf("-", i + 1);
    if (end < 0) throw new MailboxNameError("Mailbox name has an unterminated mUTF-7 shift (& without -)");
    if (end === i + 1) {
      out += "&";
      i = end + 1;
      continue;
    }
    out += decodeShift(encoded.slice(i + 1, end));
    i = end + 1;
  }
  return out;
}

function decodeShift(b64: string): string {
  let bits = 0;
  let buffer = 0;
  const units: number[] = [];
  let high = -1;
  for (let k = 0; k < b64.length; k++) {
    const value = B64_VALUE.get(b64.charCodeAt(k));
    if (value === undefined)
      throw new MailboxNameError("Mailbox name has an invalid mUTF-7 base64 character");
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 16) {
      bits -= 16;
      units.push((buffer >> bits) & 0xffff);
      buffer &= (1 << bits) - 1;
    }
  }
  if (bits >= 6 || buffer !== 0) throw new MailboxNameError("Mailbox name has badly padded mUTF-7 base64");
  let out = "";
  for (const unit of units) {
    if (high >= 0) {
      if (unit < 0xdc00 || unit > 0xdfff) throw new MailboxNameError("Mailbox name has a broken UTF-16 pair");
      out += String.fromCharCode(high, unit);
      high = -1;
    } else if (unit >= 0xd800 && unit <= 0xdbff) {
      high = unit;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      throw new MailboxNameError("Mailbox name has a broken UTF-16 pair");
    } else if (isDirect(unit)) {
      throw new MailboxNameError("Mailbox name encodes printable ASCII in mUTF-7");
    } else {
      out += String.fromCharCode(unit);
    }
  }
  if (high >= 0) throw new MailboxNameError("Mailbox name has a broken UTF-16 pair");
  return out;
}

/** The name `INBOX` is case-insensitive (RFC 9051 §5.1); every spelling becomes `INBOX`. */
export function normalizeInbox(name: string): string {
  return name.length === 5 && name.toUpperCase() === "INBOX" ? "INBOX" : name;
}

/**
 * Decodes a mailbox argument's bytes to a Unicode name: raw UTF-8 when the session enabled UTF8=ACCEPT,
 * modified UTF-7 otherwise; `INBOX` normalized. Throws `MailboxNameError` with a client-safe message.
 */
export function decodeMailboxName(bytes: Uint8Array, isUtf8Accepted: boolean): string {
  if (isUtf8Accepted) {
    try {
      return normalizeInbox(utf8Decoder.decode(bytes));
    } catch {
      throw new MailboxNameError("Mailbox name is not valid UTF-8");
    }
  }
  let ascii = "";
  for (const byte of bytes) {
    if (!isDirect(byte)) throw new MailboxNameError("Mailbox name contains a non-ASCII byte (not mUTF-7)");
    ascii += String.fromCharCode(byte);
  }
  return normalizeInbox(decodeModifiedUtf7(ascii));
}

/** Encodes a Unicode name for the wire: raw UTF-8 for UTF8=ACCEPT sessions, modified UTF-7 otherwise. */
export function encodeMailboxName(name: string, isUtf8Accepted: boolean): Uint8Array {
  return isUtf8Accepted ? utf8Encoder.encode(name) : utf8Encoder.encode(encodeModifiedUtf7(name));
}

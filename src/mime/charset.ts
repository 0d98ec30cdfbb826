// Converts text in a MIME charset (RFC 2045 §5.1 `charset`, RFC 2046 §4.1.2) to a UTF-8 JS string with
// iconv-lite, falling back to the WHATWG TextDecoder (ISO-2022-JP) and then to best-effort UTF-8/Latin-1.

import { TextDecoder } from "node:util";
import iconv from "iconv-lite";
import { decodeHeaderBytes } from "./header-text.js";

const ALIASES: Readonly<Record<string, string>> = {
  "us-ascii": "utf-8",
  ascii: "utf-8",
  "ansi_x3.4-1968": "utf-8",
  "iso-8859-1": "windows-1252",
  latin1: "windows-1252",
  "x-sjis": "shift_jis",
  "shift-jis": "shift_jis",
  sjis: "shift_jis",
  "x-euc-jp": "euc-jp",
  gb2312: "gbk",
  "x-gbk": "gbk",
  "ks_c_5601-1987": "cp949",
  "euc-kr": "cp949",
  "x-mac-roman": "macintosh",
  "unicode-1-1-utf-7": "utf-7",
};

/** Normalised lower-case charset label: quotes, comments and RFC 2231 `*language` removed. */
export function normalizeCharset(label: string): string {
  let name = label.trim().replace(/^"|"$/g, "").toLowerCase();
  const star = name.indexOf("*");
  if (star >= 0) name = name.slice(0, star);
  const alias = ALIASES[name];
  if (alias !== undefined) return alias;
  if (name === "utf8") return "utf-8";
  return name;
}

const textDecoders = new Map<string, TextDecoder | null>();

function whatwgDecoder(name: string): TextDecoder | null {
  let decoder = textDecoders.get(name);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(name);
    } catch {
      decoder = null;
    }
    textDecoders.set(name, decoder);
  }
  return decoder;
}

/** Whether `charset` is one this server can decode exactly (no best-effort fallback). */
export function isKnownCharset(charset: string): boolean {
  const name = normalizeCharset(charset);
  if (name === "utf-8") return true;
  if (name !== "iso-2022-jp" && iconv.encodingExists(name)) return true;
  return whatwgDecoder(name) !== null;
}

/** Decodes `bytes` in `charset` to a string; unknown or missing charsets fall back to UTF-8/Latin-1. Never throws. */
export function decodeCharset(bytes: Uint8Array, charset: string | null | undefined): string {
  const name = charset ? normalizeCharset(charset) : "utf-8";
  if (name === "utf-8") return decodeHeaderBytes(bytes);
  try {
    if (name !== "iso-2022-jp" && iconv.encodingExists(name)) {
      return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), name);
    }
    const decoder = whatwgDecoder(name);
    if (decoder !== null) return decoder.decode(bytes);
  } catch {
    // fall through to the best-effort decoding below
  }
  return decodeHeaderBytes(bytes);
}

// RFC 2047 encoded-word decoding (`=?charset?B|Q?text?=`, §4-§6), tolerant as mail clients are: words
// embedded in text are decoded too, whitespace between adjacent words is dropped (§6.2), and adjacent
// words in one charset are joined as bytes first so a character split across two words survives.

import { decodeCharset } from "./charset.js";
import { decodeBase64 } from "./transfer-encoding.js";

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=/g;

function textToBytes(text: string): Uint8Array {
  return Buffer.from(text, "utf8");
}

function decodeQWord(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5f) out.push(0x20);
    else if (c === 0x3d && i + 2 < text.length && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) out.push(c);
    else for (const b of textToBytes(text[i] as string)) out.push(b);
  }
  return Uint8Array.from(out);
}

/** Decodes every encoded-word in `text` (an unfolded header value) to UTF-8; anything else is kept. */
export function decodeEncodedWords(text: string): string {
  if (!text.includes("=?")) return text;
  const out: string[] = [];
  let last = 0;
  let pendingCharset: string | null = null;
  let pendingBytes: Uint8Array[] = [];
  const flush = (): void => {
    if (pendingCharset !== null) out.push(decodeCharset(Buffer.concat(pendingBytes), pendingCharset));
    pendingCharset = null;
    pendingBytes = [];
  };
  ENCODED_WORD.lastIndex = 0;
  for (let match = ENCODED_WORD.exec(text); match !== null; match = ENCODED_WORD.exec(text)) {
    const gap = text.slice(last, match.index);
    const charset = (match[1] as string).toLowerCase();
    const encoding = (match[2] as string).toLowerCase();
    const payload = match[3] as string;
    const bytes = encoding === "b" ? decodeBase64(Buffer.from(payload, "latin1")) : decodeQWord(payload);
    const isAdjacent = pendingCharset !== null && /^[ \t]*$/.test(gap);
    if (isAdjacent && pendingCharset === charset) {
      pendingBytes.push(bytes);
    } else {
      flush();
      if (!isAdjacent) out.push(gap);
      pendingCharset = charset;
      pendingBytes = [bytes];
    }
    last = match.index + match[0].length;
  }
  flush();
  out.push(text.slice(last));
  return out.join("");
}

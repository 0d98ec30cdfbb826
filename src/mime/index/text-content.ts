// Extracts readable text from a message for search and preview (RFC 9051 §6.4.4 SEARCH TEXT, RFC 8970 preview):
// text/plain and text/html parts decoded (transfer encoding, charset → UTF-8, HTML stripped), bounded in size.

import { decodeCharset } from "../charset.js";
import { htmlToText } from "../html-to-text.js";
import { decodeTransferEncoding } from "../transfer-encoding.js";
import type { MimePart } from "./structure.js";

/** How much decoded text of one message is kept for search. */
export const MAX_SEARCH_TEXT_CHARS = 1024 * 1024;
/** RFC 8970 §3 / JMAP: a preview is at most 256 characters. */
export const MAX_PREVIEW_CHARS = 256;

/** Leaf parts in document order (encapsulated messages included), without recursion. */
export function leafParts(root: MimePart): MimePart[] {
  const result: MimePart[] = [];
  const stack: MimePart[] = [root];
  while (stack.length > 0) {
    const part = stack.pop() as MimePart;
    if (part.children.length > 0) {
      for (let i = part.children.length - 1; i >= 0; i--) stack.push(part.children[i] as MimePart);
    } else if (part.message !== null) {
      stack.push(part.message);
    } else if (part.mediaType.type !== "multipart") {
      result.push(part);
    }
  }
  return result;
}

/** True for parts whose content is text a person reads (not attachments named as files). */
export function isReadableText(part: MimePart): boolean {
  const type = part.mediaType;
  return type.type === "text" && (type.subtype === "plain" || type.subtype === "html");
}

/** Decodes a text part to plain text, reading at most about `maxChars` characters' worth of the body. */
export function partText(buf: Buffer, part: MimePart, maxChars: number): string {
  const encoding = part.encodingRaw.toLowerCase();
  // Bound the raw bytes read: base64 grows by 4/3, quoted-printable by up to 3, UTF-8 up to 4 bytes a char.
  const factor = encoding === "base64" ? 6 : encoding === "quoted-printable" ? 12 : 4;
  const end = Math.min(part.bodyEnd, part.bodyStart + maxChars * factor);
  const decoded = decodeTransferEncoding(buf.subarray(part.bodyStart, end), encoding);
  let text = decodeCharset(decoded, part.mediaType.params.charset);
  if (part.mediaType.subtype === "html") text = htmlToText(text);
  return text.length > maxChars ? text.slice(0, maxChars) : text;
}

/** Collapses runs of whitespace to one space and trims. */
export function collapseWhitespace(text: string): string {
  // Only touch runs that are not already a single space: far fewer replacements on ordinary text.
  return text.replace(/\s{2,}|[^\S ]/g, " ").trim();
}

/** A preview of at most MAX_PREVIEW_CHARS characters, never ending in half a surrogate pair. */
export function makePreview(text: string): string {
  const collapsed = collapseWhitespace(text);
  if (collapsed.length <= MAX_PREVIEW_CHARS) return collapsed;
  let cut = MAX_PREVIEW_CHARS;
  const last = collapsed.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return collapsed.slice(0, cut);
}

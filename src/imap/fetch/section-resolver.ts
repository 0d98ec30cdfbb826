// Which bytes of a stored message a FETCH body section or BINARY part names (RFC 9051 §6.4.5,
// RFC 3516 §4.2), resolved on the MessageIndex part tree the way Dovecot's imap-msgpart does: a part
// that does not exist, or HEADER/TEXT of a part that is not a message/rfc822, is an empty string.
import type { PartNode } from "../../mime/message-index.js";
import { findSectionPart, type SectionKind, sectionRange } from "../../mime/section-range.js";
import type { BodySection } from "../wire/fetch-attribute.js";

/** What a BODY[section] serves: a byte range of the blob, header fields picked from one, or nothing. */
export type SectionSource =
  | { readonly kind: "range"; readonly start: number; readonly end: number }
  | {
      readonly kind: "headerFields";
      /** The header block the fields are picked from. */
      readonly start: number;
      readonly end: number;
      readonly fields: readonly string[];
      readonly isNot: boolean;
    }
  | { readonly kind: "empty" };

/** What a BINARY[part] serves: raw bytes (identity encodings, or a whole message), bytes to decode, or nothing. */
export type BinarySource =
  | { readonly kind: "range"; readonly start: number; readonly end: number }
  | {
      readonly kind: "decode";
      readonly start: number;
      readonly end: number;
      readonly encoding: "base64" | "quoted-printable";
    }
  | { readonly kind: "unknownEncoding"; readonly encoding: string }
  | { readonly kind: "empty" };

const EMPTY = { kind: "empty" } as const;
const IDENTITY_ENCODINGS = new Set(["7bit", "8bit", "binary"]);

function kindOf(section: BodySection): SectionKind {
  const text = section.text;
  if (text === null) return "content";
  switch (text.kind) {
    case "header":
    case "headerFields":
      return "HEADER";
    case "text":
      return "TEXT";
    case "mime":
      return "MIME";
  }
}

export function resolveBodySection(root: PartNode, section: BodySection): SectionSource {
  const range = sectionRange(root, section.part, kindOf(section));
  if (range === null) return EMPTY;
  const text = section.text;
  if (text?.kind === "headerFields") {
    return {
      kind: "headerFields",
      start: range.start,
      end: range.end,
      fields: text.fields,
      isNot: text.isNot,
    };
  }
  return range.end > range.start ? { kind: "range", start: range.start, end: range.end } : EMPTY;
}

/**
 * BINARY[part]: a leaf part's content with its Content-Transfer-Encoding undone. A multipart, a
 * message/rfc822 part and the whole message (empty path) are served as stored: their parts'
 * encodings are not rewritten (a known simplification against Dovecot, which re-encodes them).
 */
export function resolveBinaryPart(root: PartNode, path: readonly number[]): BinarySource {
  if (path.length === 0) return { kind: "range", start: root.headerStart, end: root.bodyEnd };
  const part = findSectionPart(root, path);
  if (part === null) return EMPTY;
  if (part.bodyEnd <= part.bodyStart) return EMPTY;
  const isLeaf = part.type !== "multipart" && part.message === null;
  const encoding = part.encoding.trim().toLowerCase();
  if (!isLeaf || IDENTITY_ENCODINGS.has(encoding)) {
    return { kind: "range", start: part.bodyStart, end: part.bodyEnd };
  }
  if (encoding === "base64" || encoding === "quoted-printable") {
    return { kind: "decode", start: part.bodyStart, end: part.bodyEnd, encoding };
  }
  return { kind: "unknownEncoding", encoding };
}

export { clampPartial } from "../../mime/section-range.js";

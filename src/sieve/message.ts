// What the interpreter reads of a message (RFC 5228 §5, RFC 5173 body): header values by name, size and body
// text per MIME part. `sieveMessageFromBytes` builds it from the raw bytes with the mime parser, so a caller
// only hands over the message as delivered. Pure: no I/O.

import { parseHeaderBlock, readFieldValue } from "../mime/header.js";
import { parsePart } from "../mime/index/structure.js";
import { leafParts, partText } from "../mime/index/text-content.js";

/** One leaf MIME part for the body test: its lower-case `type/subtype` and its decoded text. */
export interface SieveBodyPart {
  readonly contentType: string;
  readonly text: string;
}

/** The message a script filters. Implementations must be cheap to call repeatedly or cache. */
export interface SieveMessage {
  /** Unfolded, trimmed values of every top-level header field named `name` (case-insensitive), in message order, RFC 2047 words still encoded. */
  headerValues(name: string): readonly string[];
  /** Size in octets (RFC 5228 §5.9). */
  readonly size: number;
  /** The body after the header, undecoded (`body :raw`). */
  rawBody(): string;
  /** Every leaf part, transfer-decoded and in UTF-8 (`body :content`, `body :text`). */
  bodyParts(): readonly SieveBodyPart[];
}

/** How much body text the body test looks at, per part and in all (keeps a script's work bounded). */
export const MAX_BODY_TEXT_CHARS = 1024 * 1024;

/** Builds a SieveMessage over raw message bytes; parsing happens once and lazily. */
export function sieveMessageFromBytes(bytes: Uint8Array): SieveMessage {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = parseHeaderBlock(buf, 0, buf.length);
  let headers: Map<string, string[]> | null = null;
  let parts: SieveBodyPart[] | null = null;
  return {
    size: buf.length,
    headerValues(name: string): readonly string[] {
      if (headers === null) {
        headers = new Map();
        for (const field of header.fields) {
          const list = headers.get(field.name) ?? [];
          list.push(readFieldValue(buf, field));
          headers.set(field.name, list);
        }
      }
      return headers.get(name.toLowerCase()) ?? [];
    },
    rawBody(): string {
      const end = Math.min(buf.length, header.bodyStart + MAX_BODY_TEXT_CHARS);
      return buf.toString("utf8", header.bodyStart, end);
    },
    bodyParts(): readonly SieveBodyPart[] {
      if (parts === null) {
        let budget = MAX_BODY_TEXT_CHARS;
        parts = [];
        for (const part of leafParts(parsePart(buf, 0, buf.length, false, 0))) {
          const contentType = `${part.mediaType.type}/${part.mediaType.subtype}`;
          const isText = part.mediaType.type === "text";
          const text = isText && budget > 0 ? partText(buf, part, budget) : "";
          budget -= text.length;
          parts.push({ contentType, text });
        }
      }
      return parts;
    },
  };
}

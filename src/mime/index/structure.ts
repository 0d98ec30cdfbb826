// Builds the MIME part tree of a message with absolute byte offsets (RFC 2045 §3 part headers, RFC 2046 §5.1.1
// boundaries, §5.1.5 digest defaults, §5.2.1 message/rfc822; RFC 6532 message/global). One pass per nesting
// level using native byte search; depth and part count are capped so hostile input stays linear and shallow.

import { CR, countLines, indexOfLf, LF } from "../bytes.js";
import {
  type Disposition,
  type MediaType,
  parseContentType,
  parseDisposition,
  parseLanguage,
} from "../content-type.js";
import { findFirstField, type HeaderField, parseHeaderBlock, readFieldValue } from "../header.js";

/** Parts nested deeper than this are kept opaque (no children, no encapsulated message). */
export const MAX_MIME_DEPTH = 100;
/** At most this many parts per message are broken out; the rest stays inside the last part. */
export const MAX_MIME_PARTS = 10_000;

/** Everything the indexer knows about one part, including the raw forms BODYSTRUCTURE echoes. */
export interface MimePart {
  readonly headerStart: number;
  readonly headerEnd: number;
  readonly bodyStart: number;
  readonly bodyEnd: number;
  readonly fields: readonly HeaderField[];
  readonly mediaType: MediaType;
  /** Content-Transfer-Encoding as written (default `7bit`). */
  readonly encodingRaw: string;
  readonly id: string | null;
  readonly description: string | null;
  readonly disposition: Disposition | null;
  readonly language: readonly string[] | null;
  readonly location: string | null;
  readonly md5: string | null;
  /** LF count of the body for text and message parts, else 0 (not needed, not counted). */
  readonly lines: number;
  readonly children: readonly MimePart[];
  /** The encapsulated message of a message/rfc822 or message/global part. */
  readonly message: MimePart | null;
}

interface ParseBudget {
  parts: number;
}

function fieldValue(buf: Buffer, fields: readonly HeaderField[], name: string): string | null {
  const field = findFirstField(fields, name);
  return field === null ? null : readFieldValue(buf, field);
}

function emptyToNull(value: string | null): string | null {
  return value === null || value === "" ? null : value;
}

/** True for the media types whose body is an encapsulated message. */
export function isMessageType(mediaType: MediaType): boolean {
  return mediaType.type === "message" && (mediaType.subtype === "rfc822" || mediaType.subtype === "global");
}

/** Characters that may continue a boundary (RFC 2046 §5.1.1 `bchars`): a delimiter must not be followed by one. */
function isBoundaryChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x27 ||
    c === 0x28 ||
    c === 0x29 ||
    c === 0x2b ||
    c === 0x5f ||
    c === 0x2c ||
    c === 0x2d ||
    c === 0x2e ||
    c === 0x2f ||
    c === 0x3a ||
    c === 0x3d ||
    c === 0x3f
  );
}

interface Delimiter {
  /** Where the delimiter line starts (the first `-`). */
  readonly start: number;
  /** One past the delimiter line's LF (or the region end). */
  readonly lineEnd: number;
  readonly isClose: boolean;
}

/** Finds the next delimiter line `--boundary` at or after `from` within [from, end). */
function findDelimiter(
  buf: Buffer,
  needle: Buffer,
  from: number,
  end: number,
  regionStart: number,
): Delimiter | null {
  const region = buf.subarray(0, end);
  let pos = from;
  while (pos < end) {
    const found = region.indexOf(needle, pos);
    if (found < 0) return null;
    pos = found + 1;
    if (found !== regionStart && buf[found - 1] !== LF) continue;
    let j = found + needle.length;
    let isClose = false;
    if (j + 1 < end && buf[j] === 0x2d && buf[j + 1] === 0x2d) {
      // A close delimiter: whatever follows on its line is ignored, as Dovecot does.
      isClose = true;
      j += 2;
    } else if (j < end && isBoundaryChar(buf[j] as number)) continue;
    const lf = indexOfLf(buf, j, end);
    return { start: found, lineEnd: lf < 0 ? end : lf + 1, isClose };
  }
  return null;
}

/** End of the part before a delimiter: the line break preceding the delimiter belongs to it (RFC 2046 §5.1.1). */
function partEndBefore(buf: Buffer, delimiterStart: number, partStart: number): number {
  let end = delimiterStart;
  if (end > partStart && buf[end - 1] === LF) {
    end--;
    if (end > partStart && buf[end - 1] === CR) end--;
  }
  return Math.max(end, partStart);
}

function splitMultipart(
  buf: Buffer,
  boundary: string,
  start: number,
  end: number,
  isDigest: boolean,
  depth: number,
  budget: ParseBudget,
): MimePart[] {
  const needle = Buffer.from(`--${boundary}`, "utf8");
  const children: MimePart[] = [];
  let delimiter = findDelimiter(buf, needle, start, end, start);
  while (delimiter !== null && !delimiter.isClose) {
    const partStart = delimiter.lineEnd;
    const next = budget.parts < MAX_MIME_PARTS ? findDelimiter(buf, needle, partStart, end, start) : null;
    const partEnd = next === null ? end : partEndBefore(buf, next.start, partStart);
    budget.parts++;
    children.push(parsePart(buf, partStart, partEnd, isDigest, depth + 1, budget));
    delimiter = next;
  }
  return children;
}

function parseEncoding(value: string | null): string {
  if (value === null) return "7bit";
  let end = 0;
  while (end < value.length && !" \t;(".includes(value[end] as string)) end++;
  const token = value.slice(0, end);
  return token === "" ? "7bit" : token;
}

/** Parses the part in [start, end) of `buf`; never throws. */
export function parsePart(
  buf: Buffer,
  start: number,
  end: number,
  isDigestChild: boolean,
  depth: number,
  budget: ParseBudget = { parts: 1 },
): MimePart {
  const header = parseHeaderBlock(buf, start, end);
  const fields = header.fields;
  const mediaType = parseContentType(emptyToNull(fieldValue(buf, fields, "content-type")), isDigestChild);
  const canDescend = depth < MAX_MIME_DEPTH;
  let children: MimePart[] = [];
  let message: MimePart | null = null;
  if (mediaType.type === "multipart") {
    const boundary = mediaType.params.boundary;
    if (canDescend && boundary !== undefined && boundary !== "") {
      children = splitMultipart(
        buf,
        boundary,
        header.bodyStart,
        end,
        mediaType.subtype === "digest",
        depth,
        budget,
      );
    }
  } else if (isMessageType(mediaType) && canDescend) {
    budget.parts++;
    message = parsePart(buf, header.bodyStart, end, false, depth + 1, budget);
  }
  const countsLines = mediaType.type === "text" || isMessageType(mediaType);
  return {
    headerStart: start,
    headerEnd: header.headerEnd,
    bodyStart: header.bodyStart,
    bodyEnd: end,
    fields,
    mediaType,
    encodingRaw: parseEncoding(emptyToNull(fieldValue(buf, fields, "content-transfer-encoding"))),
    id: emptyToNull(fieldValue(buf, fields, "content-id")),
    description: emptyToNull(fieldValue(buf, fields, "content-description")),
    disposition: parseDisposition(emptyToNull(fieldValue(buf, fields, "content-disposition"))),
    language: parseLanguage(emptyToNull(fieldValue(buf, fields, "content-language"))),
    location: emptyToNull(fieldValue(buf, fields, "content-location")),
    md5: emptyToNull(fieldValue(buf, fields, "content-md5")),
    lines: countsLines ? countLines(buf, header.bodyStart, end) : 0,
    children,
    message,
  };
}

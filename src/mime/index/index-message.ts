// Builds the MessageIndex of a raw RFC 5322 message once, at delivery or APPEND (ARCHITECTURE.md "mime"):
// ENVELOPE/BODYSTRUCTURE/BODY strings (RFC 9051 §7.5.2), the part tree with offsets, decoded headers,
// search text and preview. Pure, never throws: hostile input yields a best-effort index.

import { type ParsedAddress, parseAddressList } from "../address.js";
import { asBuffer } from "../bytes.js";
import { parseDate } from "../date.js";
import { decodeEncodedWords } from "../encoded-word.js";
import { findLastField, type HeaderField, parseHeaderBlock, readFieldValue } from "../header.js";
import {
  type IndexedAddress,
  type IndexedAddressEntry,
  type IndexedHeaderField,
  type IndexedHeaders,
  MESSAGE_INDEX_VERSION,
  type MessageIndex,
  type PartNode,
} from "../message-index.js";
import { encapsulatedEnvelope, renderBodyStructure } from "./body-structure.js";
import { renderEnvelope } from "./envelope.js";
import { type MimePart, parsePart } from "./structure.js";
import {
  collapseWhitespace,
  isReadableText,
  leafParts,
  MAX_SEARCH_TEXT_CHARS,
  makePreview,
  partText,
} from "./text-content.js";

/** Header text kept for search, so Received chains cannot crowd out the body. */
export const MAX_SEARCH_HEADER_CHARS = 64 * 1024;
/** Header fields kept for search, so a header of empty fields is bounded too. */
const MAX_SEARCH_HEADER_FIELDS = 4096;

function toPartNode(buf: Buffer, part: MimePart): PartNode {
  const type = part.mediaType;
  return {
    headerStart: part.headerStart,
    bodyStart: part.bodyStart,
    bodyEnd: part.bodyEnd,
    type: type.type,
    subtype: type.subtype,
    params: type.params,
    encoding: part.encodingRaw.toLowerCase(),
    id: part.id,
    description: part.description === null ? null : decodeEncodedWords(part.description),
    disposition:
      part.disposition === null ? null : { type: part.disposition.type, params: part.disposition.params },
    language: part.language,
    location: part.location,
    md5: part.md5,
    lines: part.lines,
    children: part.children.map((child) => toPartNode(buf, child)),
    message: part.message === null ? null : toPartNode(buf, part.message),
    messageEnvelope: part.message === null ? null : encapsulatedEnvelope(buf, part.message),
  };
}

function toIndexedAddress(entry: ParsedAddress & { kind: "mailbox" }): IndexedAddress {
  const hasHost = entry.host !== "MISSING_DOMAIN";
  const hasMailbox = entry.mailbox !== "MISSING_MAILBOX";
  const address = hasMailbox ? (hasHost ? `${entry.mailbox}@${entry.host}` : entry.mailbox) : "";
  return { name: entry.name === null ? null : decodeEncodedWords(entry.name), address };
}

function decodeAddresses(buf: Buffer, fields: readonly HeaderField[], name: string): IndexedAddressEntry[] {
  const result: IndexedAddressEntry[] = [];
  for (const field of fields) {
    if (field.name !== name) continue;
    for (const entry of parseAddressList(readFieldValue(buf, field))) {
      if (entry.kind === "group") {
        result.push({ group: decodeEncodedWords(entry.name), members: entry.members.map(toIndexedAddress) });
      } else result.push(toIndexedAddress(entry));
    }
  }
  return result;
}

function messageIds(text: string | null): string[] {
  if (text === null) return [];
  const ids: string[] = [];
  for (const match of text.matchAll(/<([^<>\s]+)>/g)) ids.push(match[1] as string);
  if (ids.length === 0) {
    const bare = text.trim();
    if (bare !== "" && !/\s/.test(bare)) ids.push(bare);
  }
  return ids;
}

function lastValue(buf: Buffer, fields: readonly HeaderField[], name: string): string | null {
  const field = findLastField(fields, name);
  return field === null ? null : readFieldValue(buf, field);
}

function readHeaders(buf: Buffer, fields: readonly HeaderField[]): IndexedHeaders {
  const date = lastValue(buf, fields, "date");
  return {
    subject: decodeEncodedWords(lastValue(buf, fields, "subject") ?? ""),
    from: decodeAddresses(buf, fields, "from"),
    sender: decodeAddresses(buf, fields, "sender"),
    replyTo: decodeAddresses(buf, fields, "reply-to"),
    to: decodeAddresses(buf, fields, "to"),
    cc: decodeAddresses(buf, fields, "cc"),
    bcc: decodeAddresses(buf, fields, "bcc"),
    sentAtMs: date === null ? null : parseDate(date),
    messageId: messageIds(lastValue(buf, fields, "message-id"))[0] ?? null,
    inReplyTo: messageIds(lastValue(buf, fields, "in-reply-to")),
    references: messageIds(lastValue(buf, fields, "references")),
  };
}

/** The decoded header fields kept for search, in order, until their text reaches the bound. */
function decodeHeaderFields(buf: Buffer, fields: readonly HeaderField[]): IndexedHeaderField[] {
  const out: IndexedHeaderField[] = [];
  let length = 0;
  for (const field of fields) {
    if (length >= MAX_SEARCH_HEADER_CHARS || out.length >= MAX_SEARCH_HEADER_FIELDS) break;
    const value = decodeEncodedWords(readFieldValue(buf, field));
    out.push({ name: field.name, value });
    if (value !== "") length += value.length + 1;
  }
  return out;
}

function headerSearchText(fields: readonly IndexedHeaderField[]): string {
  const values = fields.filter((field) => field.value !== "").map((field) => field.value);
  return values.join("\n").slice(0, MAX_SEARCH_HEADER_CHARS);
}

/** The decoded fields of a block of whole header fields (e.g. trace fields prepended later). */
export function headerFieldsOf(raw: Uint8Array): IndexedHeaderField[] {
  const buf = asBuffer(raw);
  return decodeHeaderFields(buf, parseHeaderBlock(buf, 0, buf.length).fields);
}

/** The search-text contribution of a block of whole header fields. */
export function headerFieldsSearchText(raw: Uint8Array): string {
  return headerSearchText(headerFieldsOf(raw));
}

function isAttachment(part: MimePart): boolean {
  if (part.disposition?.type === "attachment") return true;
  const named = part.disposition?.params.filename !== undefined || part.mediaType.params.name !== undefined;
  if (part.disposition?.type === "inline") return false;
  return named || !["text", "multipart", "message"].includes(part.mediaType.type);
}

/** Parses `raw` into its MessageIndex; never throws. */
export function indexMessage(raw: Uint8Array): MessageIndex {
  const buf = asBuffer(raw);
  const root = parsePart(buf, 0, buf.length, false, 0);
  const leaves = leafParts(root);
  const headerFields = decodeHeaderFields(buf, root.fields);
  const texts: string[] = [headerSearchText(headerFields)];
  let searchLength = texts[0]?.length ?? 0;
  let preview: string | null = null;
  let hasAttachment = false;
  for (const part of leaves) {
    const isAttached = part !== root && isAttachment(part);
    if (isAttached) hasAttachment = true;
    if (!isReadableText(part)) continue;
    if (preview === null && !isAttached) preview = makePreview(partText(buf, part, 64 * 1024));
    if (searchLength < MAX_SEARCH_TEXT_CHARS) {
      const text = collapseWhitespace(partText(buf, part, MAX_SEARCH_TEXT_CHARS - searchLength));
      texts.push(text);
      searchLength += text.length + 1;
    }
  }
  return {
    version: MESSAGE_INDEX_VERSION,
    size: buf.length,
    crlfSize: buf.length + countBareLineFeeds(buf),
    envelope: renderEnvelope(buf, root.fields),
    bodyStructure: renderBodyStructure(buf, root, true),
    body: renderBodyStructure(buf, root, false),
    root: toPartNode(buf, root),
    headers: readHeaders(buf, root.fields),
    headerFields,
    searchText: texts.join("\n").slice(0, MAX_SEARCH_TEXT_CHARS),
    preview: preview ?? "",
    hasAttachment,
  };
}

/** LF bytes not preceded by CR; each becomes CRLF on a line-oriented wire (POP3). */
function countBareLineFeeds(buf: Uint8Array): number {
  let count = 0;
  for (let at = buf.indexOf(0x0a); at !== -1; at = buf.indexOf(0x0a, at + 1)) {
    if (at === 0 || buf[at - 1] !== 0x0d) count++;
  }
  return count;
}

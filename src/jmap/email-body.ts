// Email body parts (RFC 8621 §4.1.4): the MIME tree of the stored index as EmailBodyPart objects, with
// IMAP section numbers as partIds, the textBody/htmlBody/attachments choice of §4.1.4's algorithm, and
// decoded bodyValues (§4.1.4 EmailBodyValue) read from the blob.
import type { EmailId } from "../kit/ids.js";
import { decodeCharset, isKnownCharset } from "../mime/charset.js";
import type { PartNode } from "../mime/message-index.js";
import { decodeTransferEncoding } from "../mime/transfer-encoding.js";

export const BODY_PART_PROPERTIES = [
  "partId",
  "blobId",
  "size",
  "name",
  "type",
  "charset",
  "disposition",
  "cid",
  "language",
  "location",
  "subParts",
] as const;
export const DEFAULT_BODY_PROPERTIES = BODY_PART_PROPERTIES.filter((p) => p !== "subParts");

/** A part with its position: `section` is the IMAP section number ("1", "2.1"), null for multiparts. */
export interface LocatedPart {
  readonly node: PartNode;
  readonly section: string | null;
  readonly subParts: readonly LocatedPart[];
}

/** Numbers the tree as IMAP does (RFC 9051 §6.4.5): a single-part message's body is "1". */
export function locateParts(root: PartNode): LocatedPart {
  const visit = (node: PartNode, section: string): LocatedPart => {
    if (node.type !== "multipart") return { node, section, subParts: [] };
    const prefix = section === "" ? "" : `${section}.`;
    return {
      node,
      section: null,
      subParts: node.children.map((child, index) => visit(child, `${prefix}${index + 1}`)),
    };
  };
  return root.type === "multipart" ? visit(root, "") : { node: root, section: "1", subParts: [] };
}

/** The blob id of a whole message, or of one part of it ("B<emailId>_2_1" for section 2.1). */
export function blobIdOf(emailId: EmailId, section: string | null = null): string {
  return section === null ? `B${emailId}` : `B${emailId}_${section.replaceAll(".", "_")}`;
}

/** The email and section a blob id names, or null when it is not one of ours. */
export function parseBlobId(blobId: string): { emailId: EmailId; section: string | null } | null {
  const match = /^B([A-Za-z0-9]{1,100})((?:_[1-9][0-9]{0,5}){0,50})$/.exec(blobId);
  if (match === null) return null;
  const section = match[2] === "" ? null : (match[2] as string).slice(1).replaceAll("_", ".");
  return { emailId: match[1] as EmailId, section };
}

/** Finds a located part by section. */
export function findSection(root: LocatedPart, section: string): LocatedPart | null {
  if (root.section === section) return root;
  for (const child of root.subParts) {
    const found = findSection(child, section);
    if (found !== null) return found;
  }
  return null;
}

const mediaType = (node: PartNode): string => `${node.type}/${node.subtype}`;

function nameOf(node: PartNode): string | null {
  return node.disposition?.params.filename ?? node.params.name ?? null;
}

/** The decoded size: exact for identity encodings, the usual 57-of-78 ratio for base64 lines. */
function decodedSizeOf(node: PartNode): number {
  const bytes = node.bodyEnd - node.bodyStart;
  if (node.encoding === "base64") return Math.floor((bytes * 57) / 78);
  return bytes;
}

function charsetOf(node: PartNode): string | null {
  const charset = node.params.charset;
  if (charset !== undefined) return charset;
  return node.type === "text" ? "us-ascii" : null;
}

/** The EmailBodyPart object of a part (every property; callers pick). */
export function bodyPartObject(emailId: EmailId, part: LocatedPart): Record<string, unknown> {
  const { node } = part;
  const isMultipart = part.section === null;
  return {
    partId: part.section,
    blobId: isMultipart ? null : blobIdOf(emailId, part.section),
    size: isMultipart ? 0 : decodedSizeOf(node),
    name: nameOf(node),
    type: mediaType(node),
    charset: charsetOf(node),
    disposition: node.disposition?.type ?? null,
    cid: node.id === null ? null : node.id.replace(/^<|>$/g, ""),
    language: node.language === null ? null : [...node.language],
    location: node.location,
  };
}

/** The bodyStructure tree with the asked properties; a multipart always has its subParts (the tree). */
export function bodyStructureOf(
  emailId: EmailId,
  part: LocatedPart,
  properties: readonly string[],
): Record<string, unknown> {
  const full = bodyPartObject(emailId, part);
  const result: Record<string, unknown> = {};
  for (const property of properties) if (property !== "subParts") result[property] = full[property];
  if (part.section === null) {
    result.subParts = part.subParts.map((child) => bodyStructureOf(emailId, child, properties));
  }
  return result;
}

export interface BodyLists {
  readonly textBody: LocatedPart[];
  readonly htmlBody: LocatedPart[];
  readonly attachments: LocatedPart[];
}

const isInlineMediaType = (type: string): boolean =>
  type.startsWith("image/") || type.startsWith("audio/") || type.startsWith("video/");

/** RFC 8621 §4.1.4's parseStructure, over located parts. */
export function bodyListsOf(root: LocatedPart): BodyLists {
  const lists = {
    textBody: [] as LocatedPart[],
    htmlBody: [] as LocatedPart[],
    attachments: [] as LocatedPart[],
  };
  walkStructure([root], "mixed", false, lists.htmlBody, lists.textBody, lists.attachments);
  return lists;
}

function walkStructure(
  parts: readonly LocatedPart[],
  multipartType: string,
  inAlternative: boolean,
  htmlBodyIn: LocatedPart[] | null,
  textBodyIn: LocatedPart[] | null,
  attachments: LocatedPart[],
): void {
  let htmlBody = htmlBodyIn;
  let textBody = textBodyIn;
  const textLength = textBody ? textBody.length : -1;
  const htmlLength = htmlBody ? htmlBody.length : -1;
  parts.forEach((part, index) => {
    const type = mediaType(part.node);
    const isMultipart = part.section === null;
    const isInline =
      part.node.disposition?.type !== "attachment" &&
      (type === "text/plain" || type === "text/html" || isInlineMediaType(type)) &&
      (index === 0 ||
        (multipartType !== "related" && (isInlineMediaType(type) || nameOf(part.node) === null)));
    if (isMultipart) {
      const subType = part.node.subtype;
      walkStructure(
        part.subParts,
        subType,
        inAlternative || subType === "alternative",
        htmlBody,
        textBody,
        attachments,
      );
    } else if (isInline) {
      if (multipartType === "alternative") {
        if (type === "text/plain") textBody?.push(part);
        else if (type === "text/html") htmlBody?.push(part);
        else attachments.push(part);
        return;
      }
      if (inAlternative) {
        if (type === "text/plain") htmlBody = null;
        if (type === "text/html") textBody = null;
      }
      textBody?.push(part);
      htmlBody?.push(part);
      if ((!textBody || !htmlBody) && isInlineMediaType(type)) attachments.push(part);
    } else {
      attachments.push(part);
    }
  });
  if (multipartType === "alternative" && textBody && htmlBody) {
    if (textLength === textBody.length && htmlLength !== htmlBody.length) {
      for (let i = htmlLength; i < htmlBody.length; i++) textBody.push(htmlBody[i] as LocatedPart);
    }
    if (htmlLength === htmlBody.length && textLength !== textBody.length) {
      for (let i = textLength; i < textBody.length; i++) htmlBody.push(textBody[i] as LocatedPart);
    }
  }
}

/** The decoded content of a leaf part of `raw` (the whole message). */
export function decodedPartBytes(raw: Buffer, node: PartNode): Uint8Array {
  return decodeTransferEncoding(raw.subarray(node.bodyStart, node.bodyEnd), node.encoding);
}

/** RFC 8621 §4.1.4 EmailBodyValue: the text of a part, cut at `maxBytes` UTF-8 bytes (0 = whole). */
export function bodyValueOf(raw: Buffer, node: PartNode, maxBytes: number): Record<string, unknown> {
  const charset = charsetOf(node);
  const isEncodingProblem = charset !== null && !isKnownCharset(charset);
  let value = decodeCharset(decodedPartBytes(raw, node), charset);
  let isTruncated = false;
  if (maxBytes > 0 && Buffer.byteLength(value, "utf8") > maxBytes) {
    // Cut on a character boundary: drop a partial UTF-8 sequence at the end.
    const bytes = Buffer.from(value, "utf8").subarray(0, maxBytes);
    value = new TextDecoder("utf-8").decode(bytes).replace(/\uFFFD$/, "");
    isTruncated = true;
  }
  return { value, isEncodingProblem, isTruncated };
}

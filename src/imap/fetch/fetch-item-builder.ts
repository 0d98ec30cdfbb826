// One message's FETCH data items (RFC 9051 §7.5.2; RFC 3516 BINARY, RFC 8474 EMAILID/THREADID,
// RFC 8514 SAVEDATE, RFC 8970 PREVIEW, RFC 7162 MODSEQ) from its entry, summary and, only when a section
// needs part offsets, its MessageIndex. Body bytes come from the blob store as ranges.
import type { BlobHash } from "../../kit/ids.js";
import type { MessageIndex } from "../../mime/message-index.js";
import { selectHeaderFields } from "../../mime/select-header-fields.js";
import { decodeTransferEncoding } from "../../mime/transfer-encoding.js";
import type { EmailSummary, EmailSummaryHead, MailboxEntry, SummaryText } from "../../store/mail-store.js";
import type { FetchAttribute } from "../wire/fetch-attribute.js";
import type { FetchResponseItem, LiteralContent } from "../wire/response.js";
import { type BlobRanges, memoryContent, rangeContent, readRange, streamedRange } from "./body-content.js";
import { toImapDateTime } from "./imap-date.js";
import { resolveBinaryPart, resolveBodySection } from "./section-resolver.js";

/** A BINARY item named a part whose Content-Transfer-Encoding is unknown (RFC 3516 §4.3 UNKNOWN-CTE). */
export class UnknownCteError extends Error {
  constructor(readonly encoding: string) {
    super(`Unknown Content-Transfer-Encoding ${encoding}`);
  }
}

/** Everything known about one message while its FETCH response is built. */
export interface FetchMessage {
  readonly entry: MailboxEntry;
  /** Its flags as IMAP writes them (\Recent included where the session has it). */
  readonly flags: readonly string[];
  /** Present whenever the plan needs a summary, or the entry does not name its blob. */
  readonly summary: FetchSummary | undefined;
  /** Loads the full index; called only for sections that need part offsets. */
  readonly loadIndex: () => Promise<MessageIndex>;
}

/** Decoded BINARY parts below this size are checked for NULs in memory; larger ones stream as literal8. */
const MAX_BINARY_IN_MEMORY_BYTES = 1024 * 1024;

export async function buildFetchItems(
  attributes: readonly FetchAttribute[],
  message: FetchMessage,
  blobs: BlobRanges,
): Promise<FetchResponseItem[]> {
  const items: FetchResponseItem[] = [];
  for (const attribute of attributes) items.push(await buildItem(attribute, message, blobs));
  return items;
}

/** A summary as FETCH reads it: with the texts its plan asked the store for (FetchPlan.summaryTexts). */
export type FetchSummary = EmailSummaryHead & Partial<Pick<EmailSummary, SummaryText>>;

function summaryOf(message: FetchMessage): FetchSummary {
  if (message.summary === undefined) throw new Error("FETCH plan did not load the email summary");
  return message.summary;
}

/** One of the summary's texts; throws when the FETCH plan did not read it (a bug in the plan). */
export function summaryText(message: FetchMessage, text: SummaryText): string {
  const value = summaryOf(message)[text];
  if (value === undefined) throw new Error(`FETCH plan did not read the email's ${text}`);
  return value;
}

/** The message's blob and size: from the snapshot entry, so a body needs no summary, else the summary. */
function blobOf(message: FetchMessage): { readonly blobHash: BlobHash; readonly size: number } {
  const { entry } = message;
  if (entry.blobHash !== undefined) return { blobHash: entry.blobHash, size: entry.size };
  return summaryOf(message);
}

/**
 * The item for an attribute answered from the entry and summary alone (FLAGS, UID, ENVELOPE…), or null
 * for one that reads message bytes. A FETCH of only such items needs no await per message.
 */
export function buildStaticItem(attribute: FetchAttribute, message: FetchMessage): FetchResponseItem | null {
  const entry = message.entry;
  switch (attribute.kind) {
    case "FLAGS":
      return { kind: "FLAGS", flags: message.flags };
    case "UID":
      return { kind: "UID", uid: entry.uid };
    case "RFC822.SIZE":
      return { kind: "RFC822.SIZE", size: entry.size };
    case "INTERNALDATE":
      return { kind: "INTERNALDATE", date: toImapDateTime(entry.internalDateMs) };
    case "SAVEDATE":
      return { kind: "SAVEDATE", date: toImapDateTime(entry.saveDateMs) };
    case "MODSEQ":
      return { kind: "MODSEQ", modSeq: entry.modSeq };
    case "EMAILID":
      return { kind: "EMAILID", id: entry.emailId };
    case "THREADID":
      return { kind: "THREADID", id: entry.threadId };
    case "ENVELOPE":
      return { kind: "ENVELOPE", rendered: summaryText(message, "envelope") };
    case "BODYSTRUCTURE":
      return { kind: "BODYSTRUCTURE", rendered: summaryText(message, "bodyStructure") };
    case "BODY":
      return { kind: "BODY", rendered: summaryText(message, "body") };
    case "PREVIEW":
      return { kind: "PREVIEW", text: summaryText(message, "preview") };
    default:
      return null;
  }
}

/**
 * The items when none needs an await: the static ones and whole-message content (BODY[], RFC822,
 * BINARY[] of no part, partials included) of a blob the store reads at once. Null when some item needs
 * an await (a section, or a blob read only as a stream); buildFetchItems then builds them. Throws
 * MailError("nonexistent") when the blob is gone.
 */
export function buildFetchItemsNow(
  attributes: readonly FetchAttribute[],
  message: FetchMessage,
  blobs: BlobRanges,
): FetchResponseItem[] | null {
  const items: FetchResponseItem[] = [];
  let bytes: Uint8Array | null = null;
  for (const attribute of attributes) {
    const known = buildStaticItem(attribute, message);
    if (known !== null) {
      items.push(known);
      continue;
    }
    const isWhole =
      attribute.kind === "RFC822" ||
      (attribute.kind === "BODY[]" &&
        attribute.section.part.length === 0 &&
        attribute.section.text === null) ||
      (attribute.kind === "BINARY[]" && attribute.part.length === 0);
    if (!isWhole || blobs.readRangeNow === undefined) return null;
    const { blobHash, size } = blobOf(message);
    bytes ??= blobs.readRangeNow(blobHash, 0, size);
    if (bytes === null) return null;
    switch (attribute.kind) {
      case "RFC822":
        items.push({ kind: "RFC822", content: memoryContent(bytes, null, false) });
        break;
      case "BODY[]":
        items.push({
          kind: "BODY[]",
          section: attribute.section,
          origin: attribute.partial?.offset ?? null,
          content: memoryContent(bytes, attribute.partial, false),
        });
        break;
      case "BINARY[]":
        items.push({
          kind: "BINARY[]",
          part: attribute.part,
          origin: attribute.partial?.offset ?? null,
          content: memoryContent(bytes, attribute.partial, true),
        });
        break;
    }
  }
  return items;
}

async function buildItem(
  attribute: FetchAttribute,
  message: FetchMessage,
  blobs: BlobRanges,
): Promise<FetchResponseItem> {
  const known = buildStaticItem(attribute, message);
  if (known !== null) return known;
  switch (attribute.kind) {
    case "RFC822": {
      const { blobHash, size } = blobOf(message);
      return { kind: "RFC822", content: await rangeContent(blobs, blobHash, 0, size, null) };
    }
    case "RFC822.HEADER":
    case "RFC822.TEXT": {
      const { blobHash } = blobOf(message);
      const root = (await message.loadIndex()).root;
      const [start, end] =
        attribute.kind === "RFC822.HEADER"
          ? [root.headerStart, root.bodyStart]
          : [root.bodyStart, root.bodyEnd];
      return { kind: attribute.kind, content: await rangeContent(blobs, blobHash, start, end, null) };
    }
    case "BODY[]":
      return {
        kind: "BODY[]",
        section: attribute.section,
        origin: attribute.partial?.offset ?? null,
        content: await bodySection(attribute, message, blobs),
      };
    case "BINARY[]":
      return {
        kind: "BINARY[]",
        part: attribute.part,
        origin: attribute.partial?.offset ?? null,
        content: await binaryPart(attribute, message, blobs),
      };
    case "BINARY.SIZE":
      return {
        kind: "BINARY.SIZE",
        part: attribute.part,
        size: await binarySize(attribute.part, message, blobs),
      };
    default:
      throw new Error(`FETCH item ${attribute.kind} has no builder`);
  }
}

async function bodySection(
  attribute: Extract<FetchAttribute, { kind: "BODY[]" }>,
  message: FetchMessage,
  blobs: BlobRanges,
): Promise<LiteralContent> {
  const { blobHash, size } = blobOf(message);
  const { section, partial } = attribute;
  if (section.part.length === 0 && section.text === null)
    return rangeContent(blobs, blobHash, 0, size, partial);
  const source = resolveBodySection((await message.loadIndex()).root, section);
  switch (source.kind) {
    case "range":
      return rangeContent(blobs, blobHash, source.start, source.end, partial);
    case "headerFields": {
      const header = await readRange(blobs, blobHash, source.start, source.end);
      return memoryContent(selectHeaderFields(header, source.fields, source.isNot), partial, false);
    }
    case "empty":
      return memoryContent(new Uint8Array(0), partial, false);
  }
}

/** The bytes of BINARY[part] before any partial: in memory, or a range too large to hold. */
async function binaryBytes(
  path: readonly number[],
  message: FetchMessage,
  blobs: BlobRanges,
): Promise<Uint8Array | { readonly start: number; readonly end: number }> {
  const { blobHash, size } = blobOf(message);
  const source =
    path.length === 0
      ? ({ kind: "range", start: 0, end: size } as const)
      : resolveBinaryPart((await message.loadIndex()).root, path);
  switch (source.kind) {
    case "empty":
      return new Uint8Array(0);
    case "unknownEncoding":
      throw new UnknownCteError(source.encoding);
    case "decode":
      return decodeTransferEncoding(
        await readRange(blobs, blobHash, source.start, source.end),
        source.encoding,
      );
    case "range":
      if (source.end - source.start > MAX_BINARY_IN_MEMORY_BYTES) return source;
      return readRange(blobs, blobHash, source.start, source.end);
  }
}

async function binaryPart(
  attribute: Extract<FetchAttribute, { kind: "BINARY[]" }>,
  message: FetchMessage,
  blobs: BlobRanges,
): Promise<LiteralContent> {
  const bytes = await binaryBytes(attribute.part, message, blobs);
  if (bytes instanceof Uint8Array) return memoryContent(bytes, attribute.partial, true);
  // Too large to look for NULs first: sent untouched as literal8.
  return streamedRange(blobs, blobOf(message).blobHash, bytes.start, bytes.end, attribute.partial, true);
}

async function binarySize(
  path: readonly number[],
  message: FetchMessage,
  blobs: BlobRanges,
): Promise<number> {
  if (path.length === 0) return blobOf(message).size;
  const source = resolveBinaryPart((await message.loadIndex()).root, path);
  switch (source.kind) {
    case "empty":
      return 0;
    case "unknownEncoding":
      throw new UnknownCteError(source.encoding);
    case "range":
      return source.end - source.start;
    case "decode": {
      const raw = await readRange(blobs, blobOf(message).blobHash, source.start, source.end);
      return decodeTransferEncoding(raw, source.encoding).length;
    }
  }
}

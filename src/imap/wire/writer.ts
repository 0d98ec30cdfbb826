// Turns an `ImapResponse` into bytes (RFC 9051 §7 and §9 response grammar): strings quoted when safe
// and as literals otherwise, literal sizes in bytes, streamed literals passed through with backpressure.

import type { ImapDateTime } from "./argument-cursor.js";
import { formatSection } from "./fetch-attribute.js";
import { formatDateTime } from "./format-command.js";
import { encodeMailboxName } from "./mailbox-name.js";
import type {
  ContextChange,
  FetchResponseItem,
  ImapResponse,
  LiteralContent,
  MetadataResponseEntry,
  NamespaceDescriptor,
  ResponseCode,
  ThreadMember,
} from "./response.js";
import { formatSequenceSet } from "./seqset.js";
import { formatAstring, formatNstring, formatString, type StringStyle } from "./wire-string.js";

export interface WriterOptions {
  /** The session enabled UTF8=ACCEPT (RFC 6855): mailbox names in UTF-8, UTF-8 allowed in quoted strings. */
  readonly isUtf8Accepted: boolean;
  /** RFC 9586 UIDONLY is enabled: FETCH responses are written `* uid UIDFETCH (…)`. */
  readonly isUidOnly?: boolean;
}

/** A streamed literal's bytes, announced already; the caller copies exactly `size` bytes from `chunks`. */
export interface StreamedBytes {
  readonly size: number;
  readonly chunks: AsyncIterable<Uint8Array>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const DEFAULT_OPTIONS: WriterOptions = { isUtf8Accepted: false };

/** Free text of a response: no CR/LF may reach the wire (it would end the response early). */
const cleanText = (text: string): string => text.replace(/[\r\n\0]+/g, " ");

function formatCode(code: ResponseCode): string {
  switch (code.kind) {
    case "CAPABILITY":
      return `CAPABILITY ${code.capabilities.join(" ")}`;
    case "PERMANENTFLAGS":
      return `PERMANENTFLAGS (${code.flags.join(" ")})`;
    case "NOUPDATE":
      // A tag has no `"` or `\\` (ASTRING-CHAR minus `+`), so it always fits a quoted string.
      return `NOUPDATE "${code.tag}"`;
    case "BADCHARSET":
      return code.charsets.length === 0 ? "BADCHARSET" : `BADCHARSET (${code.charsets.join(" ")})`;
    case "UIDNEXT":
    case "UIDVALIDITY":
    case "UNSEEN":
    case "APPENDLIMIT":
      return `${code.kind} ${code.value}`;
    case "HIGHESTMODSEQ":
      return `HIGHESTMODSEQ ${code.modSeq}`;
    case "MAILBOXID":
      return `MAILBOXID (${code.id})`;
    case "APPENDUID":
      return `APPENDUID ${code.uidValidity} ${formatSequenceSet(code.uids)}`;
    case "COPYUID":
      return `COPYUID ${code.uidValidity} ${formatSequenceSet(code.sourceUids)} ${formatSequenceSet(code.destinationUids)}`;
    case "MODIFIED":
      return `MODIFIED ${formatSequenceSet(code.set)}`;
    case "METADATA LONGENTRIES":
    case "METADATA MAXSIZE":
      return `${code.kind} ${code.value}`;
    case "INPROGRESS":
      // As NOUPDATE's: a tag has no `"` or `\\`, so it always fits a quoted string.
      return `INPROGRESS ("${code.tag}" ${code.count} ${code.total})`;
    case "BADURL":
      // url-resp-text (RFC 4469 §6): any CHAR except CR, LF and "]".
      return `BADURL ${code.url.replace(/[^\x01-\x09\x0b\x0c\x0e-\x5c\x5e-\x7f]/g, "?")}`;
    case "BADEVENT":
      return `BADEVENT (${code.events.join(" ")})`;
    default:
      return code.kind;
  }
}

/** `position set` pairs of ADDTO/REMOVEFROM (RFC 5267 §4.3). */
function formatContextChanges(changes: readonly ContextChange[]): string {
  return changes.map((c) => `${c.position} ${formatSequenceSet(c.set)}`).join(" ");
}

function statusLine(prefix: string, status: string, code: ResponseCode | null, text: string): string {
  const codePart = code === null ? "" : `[${formatCode(code)}] `;
  return `${prefix} ${status} ${codePart}${cleanText(text)}`.trimEnd();
}

const formatDelimiter = (delimiter: string | null): string =>
  delimiter === null ? "NIL" : `"${delimiter === "\\" || delimiter === '"' ? `\\${delimiter}` : delimiter}"`;

function formatNamespaces(list: readonly NamespaceDescriptor[] | null, style: StringStyle): string {
  if (list === null) return "NIL";
  return `(${list.map((n) => `(${formatString(n.prefix, style)} ${formatDelimiter(n.delimiter)})`).join("")})`;
}

const formatDateTimeItem = (date: ImapDateTime | null): string =>
  date === null ? "NIL" : `"${formatDateTime(date)}"`;

/**
 * A response as a sequence of parts: text (to be sent UTF-8 encoded; the consumer encodes many responses'
 * text at once), literal bytes and streamed literals (whose `{n}` announcement ends the preceding text).
 * Everything but streams is produced synchronously.
 */
export type ResponsePart = string | Uint8Array | StreamedBytes;

export function* responseParts(
  response: ImapResponse,
  options: WriterOptions = DEFAULT_OPTIONS,
): Generator<ResponsePart, void, undefined> {
  const style: StringStyle = { literalMarker: "", isUtf8Quoted: options.isUtf8Accepted };
  const mailbox = (name: string): string =>
    formatAstring(decoder.decode(encodeMailboxName(name, options.isUtf8Accepted)), style);
  let text: string;
  switch (response.kind) {
    case "tagged":
      text = statusLine(response.tag, response.status, response.code, response.text);
      break;
    case "condition":
      text = statusLine("*", response.status, response.code, response.text);
      break;
    case "continuation":
      text = `+ ${cleanText(response.text)}`;
      break;
    case "capability":
      text = `* CAPABILITY ${response.capabilities.join(" ")}`;
      break;
    case "enabled":
      text = `* ENABLED${response.capabilities.map((c) => ` ${c}`).join("")}`;
      break;
    case "list":
    case "lsub": {
      text = `* ${response.kind.toUpperCase()} (${response.attributes.join(" ")}) ${formatDelimiter(response.delimiter)} ${mailbox(response.mailbox)}`;
      const extended: string[] = [];
      if (response.childInfo !== undefined && response.childInfo.length > 0) {
        extended.push(`"CHILDINFO" (${response.childInfo.map((c) => `"${c}"`).join(" ")})`);
      }
      if (response.oldName !== undefined) extended.push(`"OLDNAME" (${mailbox(response.oldName)})`);
      if (extended.length > 0) text += ` (${extended.join(" ")})`;
      break;
    }
    case "status":
      text = `* STATUS ${mailbox(response.mailbox)} (${response.items
        .map((i) => `${i.item} ${i.item === "MAILBOXID" ? `(${i.value})` : i.value}`)
        .join(" ")})`;
      break;
    case "flags":
      text = `* FLAGS (${response.flags.join(" ")})`;
      break;
    case "exists":
    case "recent":
      text = `* ${response.count} ${response.kind.toUpperCase()}`;
      break;
    case "expunge":
      text = `* ${response.sequence} EXPUNGE`;
      break;
    case "search":
      text = `* SEARCH${response.numbers.map((n) => ` ${n}`).join("")}${response.modSeq === null ? "" : ` (MODSEQ ${response.modSeq})`}`;
      break;
    case "esearch": {
      text = "* ESEARCH";
      if (response.tag !== null) {
        text += ` (TAG ${formatString(response.tag, style)}`;
        if (response.mailbox !== undefined) {
          text += ` MAILBOX ${mailbox(response.mailbox.name)} UIDVALIDITY ${response.mailbox.uidValidity}`;
        }
        text += ")";
      }
      if (response.uid) text += " UID";
      if (response.min !== undefined) text += ` MIN ${response.min}`;
      if (response.max !== undefined) text += ` MAX ${response.max}`;
      if (response.all !== undefined) text += ` ALL ${formatSequenceSet(response.all)}`;
      if (response.count !== undefined) text += ` COUNT ${response.count}`;
      if (response.partial !== undefined) {
        const set = response.partial.set === null ? "NIL" : formatSequenceSet(response.partial.set);
        text += ` PARTIAL (${response.partial.range} ${set})`;
      }
      if (response.removeFrom !== undefined && response.removeFrom.length > 0)
        text += ` REMOVEFROM (${formatContextChanges(response.removeFrom)})`;
      if (response.addTo !== undefined && response.addTo.length > 0)
        text += ` ADDTO (${formatContextChanges(response.addTo)})`;
      if (response.modSeq !== undefined) text += ` MODSEQ ${response.modSeq}`;
      break;
    }
    case "sort":
      text = `* SORT${response.numbers.map((n) => ` ${n}`).join("")}${response.modSeq === null ? "" : ` (MODSEQ ${response.modSeq})`}`;
      break;
    case "thread":
      // RFC 5256 §5: thread-data = "THREAD" [SP 1*thread-list]
      text =
        response.threads.length === 0
          ? "* THREAD"
          : `* THREAD ${response.threads.map((thread) => `(${formatThreadMembers(thread)})`).join("")}`;
      break;
    case "namespace":
      text = `* NAMESPACE ${formatNamespaces(response.personal, style)} ${formatNamespaces(response.otherUsers, style)} ${formatNamespaces(response.shared, style)}`;
      break;
    case "id":
      text =
        response.parameters === null
          ? "* ID NIL"
          : `* ID (${response.parameters.map((p) => `${formatString(p.key, style)} ${formatNstring(p.value, style)}`).join(" ")})`;
      break;
    case "vanished":
      text = `* VANISHED ${response.isEarlier ? "(EARLIER) " : ""}${formatSequenceSet(response.uids)}`;
      break;
    case "quota":
      text = `* QUOTA ${formatAstring(response.root, style)} (${response.resources
        .map((r) => `${r.name} ${r.usage} ${r.limit}`)
        .join(" ")})`;
      break;
    case "quotaroot":
      text = `* QUOTAROOT ${mailbox(response.mailbox)}${response.roots.map((r) => ` ${formatAstring(r, style)}`).join("")}`;
      break;
    case "acl":
      text = `* ACL ${mailbox(response.mailbox)}${response.entries
        .map((e) => ` ${formatAstring(e.identifier, style)} ${formatAstring(e.rights, style)}`)
        .join("")}`;
      break;
    case "listrights":
      text = `* LISTRIGHTS ${mailbox(response.mailbox)} ${formatAstring(response.identifier, style)} ${formatAstring(response.required, style)}${response.optional.map((r) => ` ${formatAstring(r, style)}`).join("")}`;
      break;
    case "myrights":
      text = `* MYRIGHTS ${mailbox(response.mailbox)} ${formatAstring(response.rights, style)}`;
      break;
    case "fetch":
      yield* fetchParts(response.sequence, response.items, style, options.isUidOnly === true);
      return;
    case "metadata":
      yield* metadataParts(mailbox(response.mailbox), response.entries, style);
      return;
    case "genurlauth":
      text = `* GENURLAUTH${response.urls.map((url) => ` ${formatAstring(url, style)}`).join("")}`;
      break;
    case "urlfetch":
      yield* urlfetchParts(response.items, style);
      return;
    case "metadataChanged":
      // RFC 5464 §4.4.2 unsolicited `entry-list`: names only, not parenthesized.
      text = `* METADATA ${mailbox(response.mailbox)}${response.names.map((n) => ` ${formatAstring(n, style)}`).join("")}`;
      break;
  }
  yield `${text}\r\n`;
}

/**
 * RFC 5256 §4 thread-members: a chain of single replies is written flat (`1 2 3`, without recursing, so
 * a long chain cannot exhaust the stack), several replies as parenthesized branches (`1 (2)(3 4)`).
 */
function formatThreadMembers(member: ThreadMember): string {
  let text = "";
  let node: ThreadMember = member;
  for (;;) {
    if (node.id !== null) text += text === "" ? `${node.id}` : ` ${node.id}`;
    const [only, ...rest] = node.children;
    if (only === undefined) return text;
    if (rest.length === 0 && node.id !== null) {
      node = only;
      continue;
    }
    const branches = node.children.map((child) => `(${formatThreadMembers(child)})`).join("");
    return text === "" ? branches : `${text} ${branches}`;
  }
}

/**
 * FLAGS item texts by flag list: sessions share one list per distinct flag combination (imap-flags.ts), so
 * a whole mailbox's FETCH joins each combination once.
 */
const flagsItemTexts = new WeakMap<readonly string[], string>();

function flagsItemText(flags: readonly string[]): string {
  let text = flagsItemTexts.get(flags);
  if (text === undefined) {
    text = `FLAGS (${flags.join(" ")})`;
    flagsItemTexts.set(flags, text);
  }
  return text;
}

/** An item's text: the whole item, or for a literal item the part before its literal (`BODY[1] `). */
export function fetchItemText(item: FetchResponseItem, style: StringStyle): string {
  switch (item.kind) {
    case "FLAGS":
      return flagsItemText(item.flags);
    case "UID":
      return `UID ${item.uid}`;
    case "RFC822.SIZE":
      return `RFC822.SIZE ${item.size}`;
    case "INTERNALDATE":
    case "SAVEDATE":
      return `${item.kind} ${formatDateTimeItem(item.date)}`;
    case "MODSEQ":
      return `MODSEQ (${item.modSeq})`;
    case "EMAILID":
      return `EMAILID (${item.id})`;
    case "THREADID":
      return item.id === null ? "THREADID NIL" : `THREADID (${item.id})`;
    case "ENVELOPE":
    case "BODYSTRUCTURE":
    case "BODY":
      return `${item.kind} ${item.rendered}`;
    case "PREVIEW":
      return `PREVIEW ${formatNstring(item.text, style)}`;
    case "BODY[]":
      return `BODY[${formatSection(item.section)}]${item.origin === null ? "" : `<${item.origin}>`} `;
    case "RFC822":
    case "RFC822.HEADER":
    case "RFC822.TEXT":
      return `${item.kind} `;
    case "BINARY[]":
      return `BINARY[${item.part.join(".")}]${item.origin === null ? "" : `<${item.origin}>`} `;
    case "BINARY.SIZE":
      return `BINARY.SIZE[${item.part.join(".")}] ${item.size}`;
  }
}

/** The literal an item carries (null: NIL), or undefined for an item without one. */
function fetchItemContent(item: FetchResponseItem): LiteralContent | null | undefined {
  switch (item.kind) {
    case "BODY[]":
    case "RFC822":
    case "RFC822.HEADER":
    case "RFC822.TEXT":
    case "BINARY[]":
      return item.content;
    default:
      return undefined;
  }
}

/**
 * `* n FETCH (`, or under UIDONLY `* uid UIDFETCH (` (RFC 9586 §3.3) with the UID item left out unless
 * it is the only one; `skip` is the index of the item not to write (-1: none).
 */
function fetchHead(
  sequence: number,
  items: readonly FetchResponseItem[],
  isUidOnly: boolean,
): { readonly head: string; readonly skip: number } {
  if (isUidOnly) {
    const index = items.findIndex((item) => item.kind === "UID");
    const item = items[index];
    if (item?.kind === "UID")
      return { head: `* ${item.uid} UIDFETCH (`, skip: items.length > 1 ? index : -1 };
  }
  return { head: `* ${sequence} FETCH (`, skip: -1 };
}

function* fetchParts(
  sequence: number,
  items: readonly FetchResponseItem[],
  style: StringStyle,
  isUidOnly: boolean,
): Generator<ResponsePart, void, undefined> {
  const { head, skip } = fetchHead(sequence, items, isUidOnly);
  let text = head;
  let isFirst = true;
  for (let i = 0; i < items.length; i++) {
    if (i === skip) continue;
    const item = items[i] as FetchResponseItem;
    text += (isFirst ? "" : " ") + fetchItemText(item, style);
    isFirst = false;
    const content = fetchItemContent(item);
    if (content === null) text += "NIL";
    else if (content !== undefined) {
      const size = content.kind === "bytes" ? content.bytes.length : content.size;
      text += `${content.isBinary === true ? "~" : ""}{${size}}\r\n`;
      yield text;
      text = "";
      yield content.kind === "bytes" ? content.bytes : { size, chunks: content.chunks };
    }
  }
  yield `${text})\r\n`;
}

/**
 * RFC 5464 §4.4.1 `* METADATA mailbox (entry value …)`. A value is quoted when it is short printable
 * ASCII, else a literal of its bytes; literal8 when it holds a NUL (RFC 5464 §5 `value = nstring / literal8`).
 */
function* metadataParts(
  mailbox: string,
  entries: readonly MetadataResponseEntry[],
  style: StringStyle,
): Generator<ResponsePart, void, undefined> {
  let text = `* METADATA ${mailbox} (`;
  for (let i = 0; i < entries.length; i++) {
    const { name, value } = entries[i] as MetadataResponseEntry;
    text += `${i === 0 ? "" : " "}${formatAstring(name, style)} `;
    if (value === null) text += "NIL";
    else if (isQuotableAscii(value)) text += `"${decoder.decode(value).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    else {
      yield `${text}${value.includes(0) ? "~" : ""}{${value.length}}\r\n`;
      yield value;
      text = "";
    }
  }
  yield `${text})\r\n`;
}

/** RFC 4467 §6.2: each URL with its data as a literal (streamed from the store) or NIL. */
function* urlfetchParts(
  items: Extract<ImapResponse, { kind: "urlfetch" }>["items"],
  style: StringStyle,
): Generator<ResponsePart, void, undefined> {
  let text = "* URLFETCH";
  for (const { url, content } of items) {
    text += ` ${formatAstring(url, style)} `;
    if (content === null) {
      text += "NIL";
      continue;
    }
    const size = content.kind === "bytes" ? content.bytes.length : content.size;
    yield `${text}{${size}}\r\n`;
    yield content.kind === "bytes" ? content.bytes : { size, chunks: content.chunks };
    text = "";
  }
  yield `${text}\r\n`;
}

const MAX_QUOTED_VALUE_BYTES = 1024;

function isQuotableAscii(bytes: Uint8Array): boolean {
  if (bytes.length > MAX_QUOTED_VALUE_BYTES) return false;
  for (const b of bytes) if (b < 0x20 || b > 0x7e) return false;
  return true;
}

/**
 * The whole text of a FETCH response without literals (FLAGS, UID, ENVELOPE…), or null when an item
 * carries one: listings of whole mailboxes are formatted without a generator per message.
 */
export function formatLiteralFreeFetch(
  sequence: number,
  items: readonly FetchResponseItem[],
  options: WriterOptions = DEFAULT_OPTIONS,
): string | null {
  const style: StringStyle = { literalMarker: "", isUtf8Quoted: options.isUtf8Accepted };
  const { head, skip } = fetchHead(sequence, items, options.isUidOnly === true);
  let text = head;
  let isFirst = true;
  for (let i = 0; i < items.length; i++) {
    if (i === skip) continue;
    const item = items[i] as FetchResponseItem;
    if (fetchItemContent(item) !== undefined) return null;
    text += (isFirst ? "" : " ") + fetchItemText(item, style);
    isFirst = false;
  }
  return `${text})\r\n`;
}

const isStreamed = (part: ResponsePart): part is StreamedBytes =>
  typeof part !== "string" && !(part instanceof Uint8Array);

/** A response without streamed literals as one byte array; throws if it holds a stream. */
export function encodeResponse(response: ImapResponse, options: WriterOptions = DEFAULT_OPTIONS): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const part of responseParts(response, options)) {
    if (isStreamed(part))
      throw new Error("encodeResponse: response has a streamed literal; use writeResponse");
    chunks.push(typeof part === "string" ? encoder.encode(part) : part);
  }
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * A streamed literal failed after its `{n}` announcement went out (a blob found damaged or missing while
 * streaming it): no reply can follow an unfinished literal, so the session must close the connection.
 * `cause` is the stream's error.
 */
export class UnfinishedLiteralError extends Error {
  override readonly name = "UnfinishedLiteralError";
}

type PartSink = (chunk: string | Uint8Array) => Promise<void> | void;

/**
 * Writes a response through `write` (text as strings the receiver encodes as UTF-8, literal bytes as
 * they are), awaiting it for each chunk that returns a promise (the session buffers most chunks
 * synchronously and awaits socket `drain` when it writes). Returns undefined when every part went to
 * `write` synchronously (a tagged reply, a FETCH of a body read at once — most responses), otherwise the
 * promise of the rest, written from the first part that needs an await. A stream that yields more or
 * fewer bytes than announced rejects: the connection must then be closed, since the client can no longer
 * parse the stream.
 */
export function writeResponse(
  response: ImapResponse,
  write: PartSink,
  options: WriterOptions = DEFAULT_OPTIONS,
): Promise<void> | undefined {
  const parts = responseParts(response, options);
  for (let next = parts.next(); next.done !== true; next = parts.next()) {
    const part = next.value;
    if (isStreamed(part)) return writeRest(part, parts, write);
    const writing = write(part);
    if (writing) return writing.then(() => writeRest(null, parts, write));
  }
  return undefined;
}

/** The parts left of a response (`first`, then the rest of `parts`), awaiting writes and streams. */
async function writeRest(
  first: ResponsePart | null,
  parts: Iterator<ResponsePart>,
  write: PartSink,
): Promise<void> {
  if (first !== null) await writePart(first, write);
  for (let next = parts.next(); next.done !== true; next = parts.next()) await writePart(next.value, write);
}

async function writePart(part: ResponsePart, write: PartSink): Promise<void> {
  if (!isStreamed(part)) {
    const writing = write(part);
    if (writing) await writing;
    return;
  }
  let written = 0;
  const chunks = part.chunks[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await chunks.next();
      } catch (error) {
        throw new UnfinishedLiteralError(`streamed literal failed after ${written} of ${part.size} bytes`, {
          cause: error,
        });
      }
      if (next.done === true) break;
      written += next.value.length;
      if (written > part.size)
        throw new UnfinishedLiteralError(`streamed literal longer than its announced ${part.size} bytes`);
      // A failed write (the client left) propagates as it is: there is nobody to close for.
      const writing = write(next.value);
      if (writing) await writing;
    }
  } finally {
    // Stopped early (a failed write): let the stream release its file or connection.
    if (written < part.size) await chunks.return?.().catch(() => {});
  }
  if (written !== part.size)
    throw new UnfinishedLiteralError(`streamed literal of ${written} bytes, ${part.size} announced`);
}

// Writing RFC 5322 / MIME messages (RFC 2045-2047, RFC 2231) for Email/set create (RFC 8621 §4.6): header
// values in each JMAP header form (§4.1.2), encoded-words for non-ASCII text, folding at 78 characters,
// quoted-printable or base64 bodies within the 998-octet line limit, and multipart trees. Pure: the
// caller has already checked the JMAP object and resolved its blobs.
import { randomBytes } from "node:crypto";

/** One header field as it is written: the name as given, the value already in wire form (ASCII or UTF-8). */
export interface WrittenField {
  readonly name: string;
  readonly value: string;
  /** A Raw value is written exactly as given (it may hold its own folding); others are folded here. */
  readonly isRaw: boolean;
}

export type MimeNode =
  | {
      readonly kind: "leaf";
      /** Lower-case media type, e.g. "text/plain". */
      readonly type: string;
      readonly charset: string | null;
      readonly name: string | null;
      readonly disposition: string | null;
      readonly cid: string | null;
      readonly language: readonly string[] | null;
      readonly location: string | null;
      /** Further fields given with the part (header:X or headers), written before the Content-* ones. */
      readonly fields: readonly WrittenField[];
      readonly content: Uint8Array;
      /** Text from bodyValues (UTF-8, line ends normalised): 7bit or quoted-printable, never base64. */
      readonly isText: boolean;
    }
  | {
      readonly kind: "multipart";
      /** e.g. "multipart/alternative". */
      readonly type: string;
      readonly fields: readonly WrittenField[];
      readonly children: readonly MimeNode[];
    };

/** Lines longer than this are folded when they can be (RFC 5322 §2.1.1 SHOULD). */
const SOFT_LINE = 78;
/** RFC 5322 §2.1.1 MUST: no line over 998 octets, CRLF excluded. */
export const MAX_LINE_OCTETS = 998;

export class MessageWriteError extends Error {
  override readonly name = "MessageWriteError";
  constructor(
    readonly property: string,
    message: string,
  ) {
    super(message);
  }
}

const isPrintableAscii = (text: string): boolean => /^[\x20-\x7e]*$/.test(text);

/**
 * Unstructured text (Subject, a name): as is when it is printable ASCII without "=?", else UTF-8 "B"
 * encoded-words (RFC 2047 §5) of at most 75 characters, split between characters.
 */
export function encodeText(text: string): string {
  const clean = text.replace(/[\r\n]+/g, " ");
  if (isPrintableAscii(clean) && !clean.includes("=?")) return clean;
  return encodedWords(clean).join(" ");
}

function encodedWords(text: string): string[] {
  // 45 bytes of UTF-8 become 60 base64 characters: with "=?UTF-8?B?" and "?=", 72 (RFC 2047 §2: ≤ 75).
  const words: string[] = [];
  let chunk = "";
  let chunkBytes = 0;
  for (const char of text) {
    const bytes = Buffer.byteLength(char, "utf8");
    if (chunkBytes + bytes > 45) {
      words.push(`=?UTF-8?B?${Buffer.from(chunk, "utf8").toString("base64")}?=`);
      chunk = "";
      chunkBytes = 0;
    }
    chunk += char;
    chunkBytes += bytes;
  }
  if (chunk !== "" || words.length === 0) {
    words.push(`=?UTF-8?B?${Buffer.from(chunk, "utf8").toString("base64")}?=`);
  }
  return words;
}

/** RFC 5322 §3.2.3 atext: a display name of only these (and spaces) needs no quotes. */
const PHRASE = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+$/;

/** A display name as an RFC 5322 phrase: atoms, a quoted-string, or encoded-words. */
export function encodePhrase(name: string): string {
  const clean = name.replace(/[\r\n]+/g, " ").trim();
  if (PHRASE.test(clean) && !clean.includes("=?")) return clean;
  if (isPrintableAscii(clean) && !clean.includes("=?")) {
    return `"${clean.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
  }
  return encodedWords(clean).join(" ");
}

/** An addr-spec we can write: something@something, no spaces, controls, angle brackets or commas. */
const ADDR_SPEC = /^[^\s<>(),;:\\"[\]\x00-\x1f\x7f]+@[^\s<>(),;:\\"[\]@\x00-\x1f\x7f]+$/;

export function isWritableAddress(email: string): boolean {
  return email.length <= 320 && ADDR_SPEC.test(email);
}

export interface EmailAddressValue {
  readonly name: string | null;
  readonly email: string;
}

export function formatAddress(address: EmailAddressValue): string {
  if (address.name === null || address.name.trim() === "") return address.email;
  return `${encodePhrase(address.name)} <${address.email}>`;
}

export function formatAddressList(addresses: readonly EmailAddressValue[]): string {
  return addresses.map(formatAddress).join(", ");
}

export interface AddressGroupValue {
  readonly name: string | null;
  readonly addresses: readonly EmailAddressValue[];
}

export function formatGroupedAddresses(groups: readonly AddressGroupValue[]): string {
  return groups
    .map((group) =>
      group.name === null
        ? formatAddressList(group.addresses)
        : `${encodePhrase(group.name)}: ${formatAddressList(group.addresses)};`,
    )
    .filter((text) => text !== "")
    .join(", ");
}

/** RFC 5322 §3.6.4 msg-id contents: no spaces, angle brackets or controls. */
export function isWritableMessageId(id: string): boolean {
  return id.length > 0 && id.length <= 900 && /^[^\s<>\x00-\x1f\x7f]+$/.test(id);
}

export function formatMessageIds(ids: readonly string[]): string {
  return ids.map((id) => `<${id}>`).join(" ");
}

export function formatUrls(urls: readonly string[]): string {
  return urls.map((url) => `<${url}>`).join(", ");
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** RFC 3339 date-time as JMAP's Date (RFC 8620 §1.4): the offset is kept. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** A JMAP Date as an RFC 5322 date-time in the same offset; null when it is not a valid Date. */
export function formatRfc5322Date(value: string): string | null {
  const match = DATE_TIME.exec(value);
  if (match === null) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return null;
  const zone = (match[7] as string).toUpperCase();
  const offsetMinutes =
    zone === "Z"
      ? 0
      : (zone.startsWith("-") ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4)));
  const local = new Date(ms + offsetMinutes * 60_000);
  // Date.parse rolls a day past the month's end over (Feb 30 → Mar 2): such a Date is not valid.
  if (local.getUTCDate() !== Number(match[3]) || local.getUTCMonth() + 1 !== Number(match[2])) return null;
  const pad = (n: number) => String(n).padStart(2, "0");
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return (
    `${DAYS[local.getUTCDay()]}, ${pad(local.getUTCDate())} ${MONTHS[local.getUTCMonth()]} ` +
    `${local.getUTCFullYear()} ${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:` +
    `${pad(local.getUTCSeconds())} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

/** The current time as an RFC 5322 date-time in UTC. */
export function formatNow(nowMs: number): string {
  return formatRfc5322Date(new Date(nowMs).toISOString().replace(/\.\d+Z$/, "Z")) as string;
}

/** One header line, folded at spaces to stay near 78 characters; a Raw value is written as given. */
export function writeField(field: WrittenField): string {
  if (field.isRaw) return `${field.name}:${field.value}\r\n`;
  const words = field.value.split(" ");
  const lines: string[] = [];
  let current = `${field.name}:`;
  for (const word of words) {
    const width = Buffer.byteLength(current, "utf8") + 1 + Buffer.byteLength(word, "utf8");
    // Never fold before an empty word: a folded line of only whitespace is not allowed (RFC 5322 §3.2.2).
    if (width > SOFT_LINE && word !== "" && current !== `${field.name}:`) {
      lines.push(current);
      current = ` ${word}`;
    } else current += ` ${word}`;
  }
  lines.push(current);
  for (const line of lines) {
    if (Buffer.byteLength(line, "utf8") > MAX_LINE_OCTETS) {
      throw new MessageWriteError(field.name, `The ${field.name} header has a line over 998 octets`);
    }
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** Text with every line end as CRLF (RFC 5322 §2.3: no bare CR or LF). */
export function normalizeLineEnds(text: string): string {
  return text.replace(/\r\n|\r|\n/g, "\r\n");
}

function hasLongLine(bytes: Uint8Array, limit: number): boolean {
  let run = 0;
  for (const byte of bytes) {
    if (byte === 0x0a || byte === 0x0d) run = 0;
    else if (++run > limit) return true;
  }
  return false;
}

function isSevenBitClean(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (byte === 0 || byte > 0x7e) return false;
    if (byte === 0x0d && bytes[i + 1] !== 0x0a) return false;
    if (byte === 0x0a && bytes[i - 1] !== 0x0d) return false;
  }
  return true;
}

/** RFC 2045 §6.7 quoted-printable, with soft line breaks keeping lines within 76 characters. */
export function encodeQuotedPrintable(bytes: Uint8Array): string {
  const out: string[] = [];
  const text = Buffer.from(bytes);
  let line = "";
  const flush = (hard: boolean) => {
    out.push(hard ? `${line}\r\n` : `${line}=\r\n`);
    line = "";
  };
  for (let i = 0; i < text.length; i++) {
    const byte = text[i] as number;
    if (byte === 0x0d && text[i + 1] === 0x0a) {
      // Trailing whitespace before a line break must be encoded (RFC 2045 §6.7 rule 3).
      const last = line.at(-1);
      if (last === " " || last === "\t") line = `${line.slice(0, -1)}=${last === " " ? "20" : "09"}`;
      flush(true);
      i++;
      continue;
    }
    const isLiteral = (byte >= 33 && byte <= 126 && byte !== 61) || byte === 32 || byte === 9;
    const piece = isLiteral
      ? String.fromCharCode(byte)
      : `=${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    if (line.length + piece.length > 75) flush(false);
    line += piece;
  }
  const last = line.at(-1);
  if (last === " " || last === "\t") line = `${line.slice(0, -1)}=${last === " " ? "20" : "09"}`;
  return out.join("") + line;
}

/** Base64 in lines of 76 characters (RFC 2045 §6.8). */
export function encodeBase64Lines(bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += 76) lines.push(text.slice(i, i + 76));
  return lines.join("\r\n");
}

/** A parameter value: a quoted-string when ASCII, else RFC 2231 `name*=UTF-8''…`. */
function parameter(name: string, value: string): string {
  if (isPrintableAscii(value)) return `; ${name}="${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
  const encoded = [...Buffer.from(value, "utf8")]
    .map((byte) =>
      /[A-Za-z0-9!#$&+.^_`|~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`,
    )
    .join("");
  return `; ${name}*=UTF-8''${encoded}`;
}

function newBoundary(): string {
  return `=_postfach_${randomBytes(12).toString("hex")}`;
}

/** The part's header fields and body (without the blank line between them). */
function writeNode(node: MimeNode): { fields: WrittenField[]; body: string | Uint8Array[] } {
  const field = (name: string, value: string): WrittenField => ({ name, value, isRaw: false });
  if (node.kind === "multipart") {
    const boundary = newBoundary();
    const pieces: Uint8Array[] = [];
    for (const child of node.children) {
      const written = writeNode(child);
      pieces.push(Buffer.from(`--${boundary}\r\n${written.fields.map(writeField).join("")}\r\n`, "utf8"));
      pushBody(pieces, written.body);
      pieces.push(Buffer.from("\r\n", "latin1"));
    }
    pieces.push(Buffer.from(`--${boundary}--\r\n`, "latin1"));
    return {
      fields: [...node.fields, field("Content-Type", `${node.type}; boundary="${boundary}"`)],
      body: pieces,
    };
  }
  let contentType = node.type;
  if (node.charset !== null) contentType += `; charset=${node.charset}`;
  if (node.name !== null && node.disposition === null) contentType += parameter("name", node.name);
  const fields: WrittenField[] = [...node.fields, field("Content-Type", contentType)];
  if (node.disposition !== null) {
    fields.push(
      field(
        "Content-Disposition",
        node.disposition + (node.name === null ? "" : parameter("filename", node.name)),
      ),
    );
  }
  if (node.cid !== null) fields.push(field("Content-ID", `<${node.cid}>`));
  if (node.language !== null && node.language.length > 0) {
    fields.push(field("Content-Language", node.language.join(", ")));
  }
  if (node.location !== null) fields.push(field("Content-Location", node.location));
  const isMessage = node.type === "message/rfc822" || node.type === "message/global";
  let body: string;
  if (isSevenBitClean(node.content) && !hasLongLine(node.content, MAX_LINE_OCTETS)) {
    fields.push(field("Content-Transfer-Encoding", "7bit"));
    body = Buffer.from(node.content).toString("latin1");
  } else if (isMessage && !hasLongLine(node.content, MAX_LINE_OCTETS)) {
    // RFC 2046 §5.2.1: a message/rfc822 part may only be 7bit, 8bit or binary.
    fields.push(field("Content-Transfer-Encoding", "8bit"));
    return { fields, body: [node.content] };
  } else if (node.isText) {
    fields.push(field("Content-Transfer-Encoding", "quoted-printable"));
    body = encodeQuotedPrintable(node.content);
  } else {
    fields.push(field("Content-Transfer-Encoding", "base64"));
    body = encodeBase64Lines(node.content);
  }
  return { fields, body };
}

function pushBody(pieces: Uint8Array[], body: string | Uint8Array[]): void {
  if (typeof body === "string") pieces.push(Buffer.from(body, "latin1"));
  else pieces.push(...body);
}

/** The whole message: the top-level fields, MIME-Version, then the body tree's own header and body. */
export function writeMessage(topFields: readonly WrittenField[], body: MimeNode): Buffer {
  const written = writeNode(body);
  const fields = [...topFields, { name: "MIME-Version", value: "1.0", isRaw: false }, ...written.fields];
  const header = `${fields.map(writeField).join("")}\r\n`;
  const pieces: Uint8Array[] = [Buffer.from(header, "utf8")];
  pushBody(pieces, written.body);
  return Buffer.concat(pieces);
}

// Email/set create (RFC 8621 §4.6): checks an Email object a client sends, resolves its blobs, and writes
// it as RFC 5322 bytes — header fields from the convenience properties (from, to, subject, sentAt…),
// `header:X:asForm` properties and `headers`, and a MIME body from textBody/htmlBody/attachments or from
// bodyStructure with bodyValues. Every problem is a SetError naming the property.
import { randomBytes } from "node:crypto";
import { isPlainObject } from "./args.js";
import { BODY_PART_PROPERTIES } from "./email-body.js";
import { type HeaderForm, parseHeaderProperty } from "./header-forms.js";
import type { JmapContext } from "./jmap-context.js";
import type { SetError } from "./jmap-error.js";
import { isValidKeyword } from "./keywords.js";
import {
  type AddressGroupValue,
  type EmailAddressValue,
  encodeText,
  formatAddressList,
  formatGroupedAddresses,
  formatMessageIds,
  formatNow,
  formatRfc5322Date,
  formatUrls,
  isWritableAddress,
  isWritableMessageId,
  MAX_LINE_OCTETS,
  MessageWriteError,
  type MimeNode,
  normalizeLineEnds,
  type WrittenField,
  writeMessage,
} from "./message-writer.js";
import { readBlobContent } from "./upload-blob.js";
import { isUtcDate } from "./vacation-response.js";

/** A checked Email object: the bytes to store and where and how to store them. */
export interface EmailToCreate {
  readonly raw: Buffer;
  readonly mailboxIds: readonly string[];
  readonly keywords: readonly string[];
  readonly receivedAtMs: number | null;
}

/** The convenience properties that are header fields, with the field and the form they are written in. */
const HEADER_CONVENIENCE: Readonly<Record<string, { field: string; form: HeaderForm }>> = {
  messageId: { field: "Message-ID", form: "MessageIds" },
  inReplyTo: { field: "In-Reply-To", form: "MessageIds" },
  references: { field: "References", form: "MessageIds" },
  sender: { field: "Sender", form: "Addresses" },
  from: { field: "From", form: "Addresses" },
  to: { field: "To", form: "Addresses" },
  cc: { field: "Cc", form: "Addresses" },
  bcc: { field: "Bcc", form: "Addresses" },
  replyTo: { field: "Reply-To", form: "Addresses" },
  subject: { field: "Subject", form: "Text" },
  sentAt: { field: "Date", form: "Date" },
};
const BODY_PROPERTIES = ["bodyStructure", "bodyValues", "textBody", "htmlBody", "attachments"];
const OTHER_PROPERTIES = ["mailboxIds", "keywords", "receivedAt", "headers"];
/** Server-set properties a client may not give (RFC 8621 §4.6). */
const SERVER_SET = new Set(["id", "blobId", "threadId", "size", "preview", "hasAttachment"]);

/** The Content-* field each part property is written as: giving both is a conflict. */
const CONTENT_FIELD_OF: Readonly<Record<string, string>> = {
  disposition: "content-disposition",
  name: "content-disposition",
  cid: "content-id",
  language: "content-language",
  location: "content-location",
};

const PART_PROPERTIES = new Set<string>([...BODY_PART_PROPERTIES, "headers"]);

class Invalid extends Error {
  constructor(readonly setError: SetError) {
    super(setError.description ?? setError.type);
  }
}

const invalid = (property: string, description: string): Invalid =>
  new Invalid({ type: "invalidProperties", description, properties: [property] });

/** Reads and writes one Email create; a SetError when the object is wrong or a blob is missing. */
export async function prepareEmail(
  ctx: JmapContext,
  object: unknown,
  knownMailboxIds: ReadonlySet<string>,
  nowMs: number,
): Promise<EmailToCreate | SetError> {
  try {
    return await prepare(ctx, object, knownMailboxIds, nowMs);
  } catch (error) {
    if (error instanceof Invalid) return error.setError;
    if (error instanceof MessageWriteError) {
      return { type: "invalidProperties", description: error.message, properties: [error.property] };
    }
    throw error;
  }
}

async function prepare(
  ctx: JmapContext,
  object: unknown,
  knownMailboxIds: ReadonlySet<string>,
  nowMs: number,
): Promise<EmailToCreate> {
  if (!isPlainObject(object)) throw invalid("", "An Email must be an object");
  for (const key of Object.keys(object)) {
    if (SERVER_SET.has(key)) throw invalid(key, `"${key}" is set by the server`);
    if (
      !Object.hasOwn(HEADER_CONVENIENCE, key) &&
      !BODY_PROPERTIES.includes(key) &&
      !OTHER_PROPERTIES.includes(key) &&
      !key.startsWith("header:")
    ) {
      throw invalid(key, `Unknown property "${key}"`);
    }
  }
  const mailboxIds = readMailboxIds(ctx, object.mailboxIds, knownMailboxIds);
  const keywords = readKeywords(object.keywords);
  const receivedAt = object.receivedAt ?? null;
  if (receivedAt !== null && !isUtcDate(receivedAt))
    throw invalid("receivedAt", '"receivedAt" must be a UTCDate');

  const fields = readHeaderFields(object, true);
  const names = new Set(fields.map((f) => f.name.toLowerCase()));
  const top: WrittenField[] = [];
  if (!names.has("date")) top.push({ name: "Date", value: formatNow(nowMs), isRaw: false });
  if (!names.has("message-id")) {
    const domain = ctx.account.address.slice(ctx.account.address.lastIndexOf("@") + 1) || "localhost";
    top.push({ name: "Message-ID", value: `<${randomBytes(16).toString("hex")}@${domain}>`, isRaw: false });
  }
  top.push(...fields);
  const body = await readBody(ctx, object);
  return {
    raw: writeMessage(top, body),
    mailboxIds,
    keywords,
    receivedAtMs: receivedAt === null ? null : Date.parse(receivedAt as string),
  };
}

function readMailboxIds(ctx: JmapContext, value: unknown, known: ReadonlySet<string>): string[] {
  if (!isPlainObject(value) || Object.keys(value).length === 0) {
    throw invalid("mailboxIds", "An email needs at least one mailbox");
  }
  const ids: string[] = [];
  for (const [key, flag] of Object.entries(value)) {
    // A mailbox created earlier in the same request may be named by "#creationId" (RFC 8620 §5.3).
    const id = key.startsWith("#") ? ctx.createdIds.get(key.slice(1)) : key;
    if (flag !== true || id === undefined || !known.has(id)) throw invalid("mailboxIds", `No mailbox ${key}`);
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

function readKeywords(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!isPlainObject(value) || !Object.entries(value).every(([k, v]) => v === true && isValidKeyword(k))) {
    throw invalid("keywords", '"keywords" must map valid keywords to true');
  }
  return Object.keys(value);
}

/**
 * The header fields of an Email or a body part from its convenience properties (top level only),
 * `header:` properties and `headers`; RFC 8621 §4.6: no field may be given by two properties, and
 * Content-* fields are the body parts' own (written from type, disposition… by the writer).
 */
function readHeaderFields(object: Record<string, unknown>, isTop: boolean): WrittenField[] {
  const partProperties = new Set(
    Object.entries(CONTENT_FIELD_OF)
      .filter(([property]) => object[property] !== undefined && object[property] !== null)
      .map(([, field]) => field),
  );
  const fields: WrittenField[] = [];
  const sourceOf = new Map<string, string>();
  const claim = (name: string, property: string) => {
    const lower = name.toLowerCase();
    // At the top level Content-* belong to the body; on a part, Content-Type and the transfer encoding
    // are the server's to write (RFC 8621 §4.6), others may be given unless a property gives them too.
    if (
      lower.startsWith("content-") &&
      (isTop ||
        lower === "content-type" ||
        lower === "content-transfer-encoding" ||
        partProperties.has(lower))
    ) {
      throw invalid(property, `${name} is written from the body part's properties (type, disposition…)`);
    }
    if (lower === "mime-version") throw invalid(property, "MIME-Version is written by the server");
    const earlier = sourceOf.get(lower);
    if (earlier !== undefined && earlier !== property) {
      throw new Invalid({
        type: "invalidProperties",
        description: `${name} is given by both "${earlier}" and "${property}"`,
        properties: [earlier, property],
      });
    }
    sourceOf.set(lower, property);
  };
  for (const [property, value] of Object.entries(object)) {
    if (value === null || value === undefined) continue;
    const convenience = isTop ? HEADER_CONVENIENCE[property] : undefined;
    if (convenience !== undefined) {
      claim(convenience.field, property);
      fields.push(formField(convenience.field, convenience.form, value, property));
      continue;
    }
    if (property.startsWith("header:")) {
      const parsed = parseHeaderProperty(property);
      if (parsed === null)
        throw invalid(property, `"${property}" is not a header property this field allows`);
      const name = (property.slice("header:".length).split(":")[0] as string).trim();
      claim(name, property);
      const values = parsed.isAll ? value : [value];
      if (!Array.isArray(values)) throw invalid(property, `"${property}" must be a list`);
      for (const one of values) {
        if (one !== null) fields.push(formField(name, parsed.form, one, property));
      }
      continue;
    }
    if (property === "headers") {
      if (!Array.isArray(value)) throw invalid("headers", '"headers" must be a list of EmailHeader objects');
      for (const header of value) {
        if (
          !isPlainObject(header) ||
          typeof header.name !== "string" ||
          !/^[\x21-\x39\x3b-\x7e]{1,200}$/.test(header.name) ||
          typeof header.value !== "string"
        ) {
          throw invalid("headers", "Each header needs a field name and a string value");
        }
        claim(header.name, "headers");
        fields.push(formField(header.name, "Raw", header.value, "headers"));
      }
    }
  }
  return fields;
}

/** One field's value written in a header form (RFC 8621 §4.1.2); invalidProperties when it does not fit. */
function formField(name: string, form: HeaderForm, value: unknown, property: string): WrittenField {
  const field = (text: string): WrittenField => ({ name, value: text, isRaw: false });
  switch (form) {
    case "Raw": {
      if (typeof value !== "string") throw invalid(property, `"${property}" must be a string`);
      // Raw keeps its own folding: every line break must be CRLF followed by whitespace.
      if (/\r(?!\n[ \t])|(?<!\r)\n|\r\n(?![ \t])/.test(value)) {
        throw invalid(property, `"${property}" has a line break that is not folding`);
      }
      if (
        value
          .split("\r\n")
          .some((line) => Buffer.byteLength(line, "utf8") + name.length + 1 > MAX_LINE_OCTETS)
      ) {
        throw invalid(property, `"${property}" has a line over 998 octets`);
      }
      return { name, value: /^[ \t]/.test(value) ? value : ` ${value}`, isRaw: true };
    }
    case "Text":
      if (typeof value !== "string") throw invalid(property, `"${property}" must be a string`);
      return field(encodeText(value));
    case "Addresses":
      return field(formatAddressList(readAddresses(value, property)));
    case "GroupedAddresses": {
      if (!Array.isArray(value))
        throw invalid(property, `"${property}" must be a list of EmailAddressGroups`);
      const groups: AddressGroupValue[] = value.map((group) => {
        if (
          !isPlainObject(group) ||
          !(group.name === null || group.name === undefined || typeof group.name === "string")
        ) {
          throw invalid(property, `"${property}" must be a list of EmailAddressGroups`);
        }
        return {
          name: (group.name as string | undefined) ?? null,
          addresses: readAddresses(group.addresses, property),
        };
      });
      return field(formatGroupedAddresses(groups));
    }
    case "MessageIds": {
      if (!Array.isArray(value) || !value.every((id) => typeof id === "string" && isWritableMessageId(id))) {
        throw invalid(property, `"${property}" must be a list of message ids (without angle brackets)`);
      }
      return field(formatMessageIds(value as string[]));
    }
    case "Date": {
      const date = typeof value === "string" ? formatRfc5322Date(value) : null;
      if (date === null) throw invalid(property, `"${property}" must be a Date (RFC 3339 with offset)`);
      return field(date);
    }
    default: {
      if (
        !Array.isArray(value) ||
        !value.every((url) => typeof url === "string" && /^[^\s<>]{1,900}$/.test(url))
      ) {
        throw invalid(property, `"${property}" must be a list of URLs`);
      }
      return field(formatUrls(value as string[]));
    }
  }
}

function readAddresses(value: unknown, property: string): EmailAddressValue[] {
  if (!Array.isArray(value)) throw invalid(property, `"${property}" must be a list of EmailAddress objects`);
  return value.map((address) => {
    if (
      !isPlainObject(address) ||
      typeof address.email !== "string" ||
      !isWritableAddress(address.email) ||
      !(address.name === undefined || address.name === null || typeof address.name === "string")
    ) {
      throw invalid(property, `"${property}" has an address that is not name + valid email`);
    }
    return { name: (address.name as string | null | undefined) ?? null, email: address.email };
  });
}

interface BodyContext {
  readonly ctx: JmapContext;
  readonly bodyValues: Readonly<Record<string, unknown>>;
  readonly usedPartIds: Set<string>;
}

/** The body tree: bodyStructure as given, or built from textBody, htmlBody and attachments (§4.6). */
async function readBody(ctx: JmapContext, object: Record<string, unknown>): Promise<MimeNode> {
  const bodyValues = object.bodyValues ?? {};
  if (!isPlainObject(bodyValues))
    throw invalid("bodyValues", '"bodyValues" must map part ids to EmailBodyValues');
  for (const [partId, bodyValue] of Object.entries(bodyValues)) {
    if (
      !isPlainObject(bodyValue) ||
      typeof bodyValue.value !== "string" ||
      (bodyValue.isEncodingProblem !== undefined && bodyValue.isEncodingProblem !== false) ||
      (bodyValue.isTruncated !== undefined && bodyValue.isTruncated !== false)
    ) {
      throw invalid(
        "bodyValues",
        `bodyValues/${partId} must have a string value, not truncated or mis-encoded`,
      );
    }
  }
  const bc: BodyContext = { ctx, bodyValues, usedPartIds: new Set() };
  const given = (name: string) => object[name] !== undefined && object[name] !== null;
  if (given("bodyStructure")) {
    for (const name of ["textBody", "htmlBody", "attachments"]) {
      if (given(name)) throw invalid(name, `"${name}" cannot be given with "bodyStructure"`);
    }
    return readPart(bc, object.bodyStructure, "bodyStructure", "text/plain", true);
  }
  const single = async (name: string, type: string): Promise<MimeNode | null> => {
    const list = object[name];
    if (list === undefined || list === null) return null;
    if (!Array.isArray(list) || list.length > 1)
      throw invalid(name, `"${name}" must be a list of at most one part`);
    if (list.length === 0) return null;
    const part = await readPart(bc, list[0], name, type, false);
    if (part.kind !== "leaf" || part.type !== type) throw invalid(name, `The "${name}" part must be ${type}`);
    return part;
  };
  const text = await single("textBody", "text/plain");
  const html = await single("htmlBody", "text/html");
  const attachmentList = object.attachments ?? [];
  if (!Array.isArray(attachmentList)) throw invalid("attachments", '"attachments" must be a list of parts');
  const attachments: MimeNode[] = [];
  for (const part of attachmentList) {
    attachments.push(
      await readPart(bc, part, "attachments", "application/octet-stream", false, "attachment"),
    );
  }
  // Inline parts with a Content-ID belong with the HTML that refers to them (RFC 2387 multipart/related).
  const isInline = (node: MimeNode) =>
    node.kind === "leaf" && node.disposition === "inline" && node.cid !== null;
  const inline = html === null ? [] : attachments.filter(isInline);
  const others = attachments.filter((node) => !inline.includes(node));
  const htmlNode =
    html !== null && inline.length > 0 ? multipart("multipart/related", [html, ...inline]) : html;
  let main: MimeNode | null =
    text !== null && htmlNode !== null
      ? multipart("multipart/alternative", [text, htmlNode])
      : (text ?? htmlNode);
  if (others.length > 0) main = multipart("multipart/mixed", main === null ? others : [main, ...others]);
  return main ?? textLeaf("text/plain", "", []);
}

function multipart(type: string, children: MimeNode[]): MimeNode {
  return { kind: "multipart", type, fields: [], children };
}

function textLeaf(type: string, text: string, fields: WrittenField[]): MimeNode {
  return {
    kind: "leaf",
    type,
    charset: "utf-8",
    name: null,
    disposition: null,
    cid: null,
    language: null,
    location: null,
    fields,
    content: Buffer.from(normalizeLineEnds(text), "utf8"),
    isText: true,
  };
}

const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]{1,127}\/[a-z0-9!#$&^_.+-]{1,127}$/;
const TOKEN = /^[A-Za-z0-9!#$&^_.+-]{1,100}$/;

async function readPart(
  bc: BodyContext,
  value: unknown,
  property: string,
  defaultType: string,
  mayNest: boolean,
  defaultDisposition: string | null = null,
): Promise<MimeNode> {
  if (!isPlainObject(value)) throw invalid(property, `A part in "${property}" must be an object`);
  for (const key of Object.keys(value)) {
    if (!PART_PROPERTIES.has(key) && !key.startsWith("header:")) {
      throw invalid(property, `Unknown body part property "${key}" in "${property}"`);
    }
  }
  const optionalString = (key: string): string | null => {
    const v = value[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== "string" || /[\r\n]/.test(v))
      throw invalid(property, `"${key}" of a part must be a string`);
    return v;
  };
  const fields = readHeaderFields(value, false);
  const typeGiven = optionalString("type")?.toLowerCase() ?? null;
  if (typeGiven !== null && !MEDIA_TYPE.test(typeGiven))
    throw invalid(property, `"${typeGiven}" is not a media type`);

  if (value.subParts !== undefined && value.subParts !== null) {
    if (!mayNest) throw invalid(property, `Parts in "${property}" cannot have subParts`);
    const type = typeGiven ?? "multipart/mixed";
    if (!type.startsWith("multipart/")) throw invalid(property, "A part with subParts must be multipart/*");
    if (!Array.isArray(value.subParts) || value.subParts.length === 0) {
      throw invalid(property, '"subParts" must be a non-empty list of parts');
    }
    const children: MimeNode[] = [];
    for (const child of value.subParts)
      children.push(await readPart(bc, child, property, "text/plain", true));
    return { kind: "multipart", type, fields, children };
  }
  if (typeGiven?.startsWith("multipart/")) throw invalid(property, "A multipart part needs subParts");
  const partId = value.partId ?? null;
  const blobId = value.blobId ?? null;
  if ((partId === null) === (blobId === null)) {
    throw invalid(property, 'A part needs exactly one of "partId" (a bodyValue) or "blobId"');
  }
  const disposition = optionalString("disposition")?.toLowerCase() ?? defaultDisposition;
  if (disposition !== null && !TOKEN.test(disposition))
    throw invalid(property, '"disposition" must be a token');
  const cid = optionalString("cid");
  if (cid !== null && !isWritableMessageId(cid))
    throw invalid(property, '"cid" must be a Content-ID without angle brackets');
  const language = value.language ?? null;
  if (
    language !== null &&
    (!Array.isArray(language) || !language.every((l) => typeof l === "string" && TOKEN.test(l)))
  ) {
    throw invalid(property, '"language" must be a list of language tags');
  }
  const location = optionalString("location");
  if (location !== null && !/^[^\s<>"]{1,900}$/.test(location))
    throw invalid(property, '"location" must be a URL');
  const common = {
    kind: "leaf" as const,
    name: optionalString("name"),
    disposition,
    cid,
    language: language as string[] | null,
    location,
    fields,
  };
  if (partId !== null) {
    if (typeof partId !== "string") throw invalid(property, '"partId" must be a string');
    const bodyValue = bc.bodyValues[partId];
    if (!isPlainObject(bodyValue)) throw invalid(property, `No bodyValues entry "${partId}"`);
    if (bc.usedPartIds.has(partId)) throw invalid(property, `bodyValues "${partId}" is used by two parts`);
    bc.usedPartIds.add(partId);
    // RFC 8621 §4.6: a bodyValue is Unicode text; the server picks the charset.
    if (value.charset !== undefined && value.charset !== null) {
      throw invalid(property, '"charset" cannot be given with "partId"');
    }
    const type = typeGiven ?? defaultType;
    if (!type.startsWith("text/")) throw invalid(property, "A part with a bodyValue must be text/*");
    return {
      ...common,
      type,
      charset: "utf-8",
      content: Buffer.from(normalizeLineEnds(bodyValue.value as string), "utf8"),
      isText: true,
    };
  }
  if (typeof blobId !== "string") throw invalid(property, '"blobId" must be an id');
  const content = await readBlobContent(bc.ctx, blobId);
  if (content === undefined) {
    throw new Invalid({ type: "blobNotFound", description: `No blob ${blobId}`, notFound: [blobId] });
  }
  const charset = optionalString("charset");
  if (charset !== null && !TOKEN.test(charset)) throw invalid(property, '"charset" must be a charset name');
  const blobType = MEDIA_TYPE.test(content.type.toLowerCase())
    ? content.type.toLowerCase()
    : "application/octet-stream";
  return {
    ...common,
    type: typeGiven ?? blobType,
    charset,
    content: content.bytes,
    isText: false,
  };
}

// Email/parse (RFC 8621 §4.9): an uploaded (or stored) message blob read as an Email without storing it:
// indexed by the same MIME code as delivery, its properties built as Email/get builds them. Properties
// that belong to a stored email (id, mailboxIds, keywords, receivedAt, threadId) are null, and so are
// the parts' blobIds (the parts of an unstored message cannot be downloaded on their own).
import type { EmailId, ThreadId } from "../../kit/ids.js";
import { parseHeaderBlock } from "../../mime/header.js";
import { indexMessage } from "../../mime/index/index-message.js";
import type { EmailRecord } from "../../store/mail-store.js";
import { requireAccount } from "../account-check.js";
import { type Args, checkKnownArgs, readBoolean, readIds, readInt, readProperties } from "../args.js";
import {
  BODY_PART_PROPERTIES,
  bodyListsOf,
  bodyPartObject,
  bodyStructureOf,
  bodyValueOf,
  DEFAULT_BODY_PROPERTIES,
  type LocatedPart,
  locateParts,
} from "../email-body.js";
import { EMAIL_PROPERTIES, emailHeaderObject } from "../email-object.js";
import type { JmapContext } from "../jmap-context.js";
import { invalidArguments, MethodError } from "../jmap-error.js";
import { pick } from "../standard-get.js";
import { resolveBlobId } from "../upload-blob.js";

const KNOWN = new Set<string>(EMAIL_PROPERTIES);
const KNOWN_BODY = new Set<string>(BODY_PART_PROPERTIES);
/** RFC 8621 §4.9: the default properties of a parsed email. */
const DEFAULT_PROPERTIES = [
  "messageId",
  "inReplyTo",
  "references",
  "sender",
  "from",
  "to",
  "cc",
  "bcc",
  "replyTo",
  "subject",
  "sentAt",
  "hasAttachment",
  "preview",
  "bodyValues",
  "textBody",
  "htmlBody",
  "attachments",
];
const STORED_ONLY = ["id", "mailboxIds", "keywords", "receivedAt", "threadId"];

export async function emailParse(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  checkKnownArgs(args, [
    "accountId",
    "blobIds",
    "properties",
    "bodyProperties",
    "fetchTextBodyValues",
    "fetchHTMLBodyValues",
    "fetchAllBodyValues",
    "maxBodyValueBytes",
  ]);
  const accountId = requireAccount(ctx, args);
  const blobIds = readIds(args, "blobIds");
  if (blobIds === null) throw invalidArguments('"blobIds" is required');
  if (blobIds.length > ctx.limits.maxObjectsInGet)
    throw new MethodError("requestTooLarge", `At most ${ctx.limits.maxObjectsInGet} blobIds`);
  const properties = readProperties(args, "properties", KNOWN) ?? DEFAULT_PROPERTIES;
  const bodyProperties = readProperties(args, "bodyProperties", KNOWN_BODY) ?? DEFAULT_BODY_PROPERTIES;
  const fetchText = readBoolean(args, "fetchTextBodyValues", false);
  const fetchHtml = readBoolean(args, "fetchHTMLBodyValues", false);
  const fetchAll = readBoolean(args, "fetchAllBodyValues", false);
  const maxBodyValueBytes = readInt(args, "maxBodyValueBytes", 0, 0);

  const parsed: Record<string, unknown> = {};
  const notParsable: string[] = [];
  const notFound: string[] = [];
  for (const blobId of new Set(blobIds)) {
    const hash = await resolveBlobId(ctx, blobId);
    if (hash === undefined) {
      notFound.push(blobId);
      continue;
    }
    const raw = await ctx.services.store.blobs.read(hash);
    if (raw.length > ctx.limits.maxSizeUpload) {
      notParsable.push(blobId);
      continue;
    }
    const index = indexMessage(raw);
    const email: EmailRecord = {
      emailId: "" as EmailId,
      blobHash: hash,
      size: raw.length,
      crlfSize: index.crlfSize,
      envelope: index.envelope,
      bodyStructure: index.bodyStructure,
      body: index.body,
      preview: index.preview,
      threadId: "" as ThreadId,
      index,
    };
    const object: Record<string, unknown> = { ...emailHeaderObject(email, []), blobId };
    for (const property of STORED_ONLY) object[property] = null;
    const root = locateParts(index.root);
    const lists = bodyListsOf(root);
    const partObject = (part: LocatedPart) =>
      pick({ ...bodyPartObject(email.emailId, part), blobId: null }, bodyProperties);
    if (properties.includes("headers")) {
      const block = parseHeaderBlock(raw, 0, index.root.bodyStart);
      object.headers = block.fields.map((field) => ({
        name: raw.toString("latin1", field.start, field.valueStart - 1).trimEnd(),
        value: raw.toString("utf8", field.valueStart, field.end).replace(/\r?\n$/, ""),
      }));
    }
    if (properties.includes("bodyStructure"))
      object.bodyStructure = withoutBlobIds(bodyStructureOf(email.emailId, root, bodyProperties));
    object.textBody = lists.textBody.map(partObject);
    object.htmlBody = lists.htmlBody.map(partObject);
    object.attachments = lists.attachments.map(partObject);
    const valued = new Map<string, LocatedPart>();
    const add = (part: LocatedPart) => {
      if (part.section !== null && part.node.type === "text") valued.set(part.section, part);
    };
    if (fetchText) lists.textBody.forEach(add);
    if (fetchHtml) lists.htmlBody.forEach(add);
    if (fetchAll) forEachLeaf(root, add);
    const bodyValues: Record<string, unknown> = {};
    for (const [section, part] of valued)
      bodyValues[section] = bodyValueOf(raw, part.node, maxBodyValueBytes);
    object.bodyValues = bodyValues;
    parsed[blobId] = pick(object, properties);
  }
  return {
    accountId,
    parsed: Object.keys(parsed).length === 0 ? null : parsed,
    notParsable: notParsable.length === 0 ? null : notParsable,
    notFound: notFound.length === 0 ? null : notFound,
  };
}

function withoutBlobIds(part: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...part };
  if ("blobId" in copy) copy.blobId = null;
  if (Array.isArray(copy.subParts))
    copy.subParts = (copy.subParts as Record<string, unknown>[]).map(withoutBlobIds);
  return copy;
}

function forEachLeaf(part: LocatedPart, visit: (part: LocatedPart) => void): void {
  if (part.section !== null) visit(part);
  for (const child of part.subParts) forEachLeaf(child, visit);
}

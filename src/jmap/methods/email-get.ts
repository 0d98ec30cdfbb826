// Email/get (RFC 8621 §4.2): metadata and header properties from the stored index; headers, bodyValues
// and part contents read from the message blob only when asked for.

import type { EmailId } from "../../kit/ids.js";
import { parseHeaderBlock } from "../../mime/header.js";
import { coldAccountMailboxes, loadAccountMail, scheduleAccountMailBuild } from "../account-mail.js";
import { copiesOf } from "../account-mail-cold.js";
import { type Args, readBoolean, readInt, readProperties } from "../args.js";
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
import { DEFAULT_EMAIL_PROPERTIES, EMAIL_PROPERTIES, emailHeaderObject } from "../email-object.js";
import { headerPropertyValue, parseHeaderProperty } from "../header-forms.js";
import type { JmapContext } from "../jmap-context.js";
import { MethodError } from "../jmap-error.js";
import { pick, readGetRequest } from "../standard-get.js";
import { currentAccount, formatState } from "../state.js";

const EMAIL_PROPERTY_NAMES = new Set<string>(EMAIL_PROPERTIES);
/** The named properties and every `header:…` form (RFC 8621 §4.1.3). */
const KNOWN = {
  has: (property: string) => EMAIL_PROPERTY_NAMES.has(property) || parseHeaderProperty(property) !== null,
};
const KNOWN_BODY = new Set<string>(BODY_PART_PROPERTIES);
const BODY_ARGS = [
  "bodyProperties",
  "fetchTextBodyValues",
  "fetchHTMLBodyValues",
  "fetchAllBodyValues",
  "maxBodyValueBytes",
];

export async function emailGet(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  const request = readGetRequest(ctx, args, KNOWN, DEFAULT_EMAIL_PROPERTIES, BODY_ARGS);
  const bodyProperties = readProperties(args, "bodyProperties", KNOWN_BODY) ?? DEFAULT_BODY_PROPERTIES;
  const fetchText = readBoolean(args, "fetchTextBodyValues", false);
  const fetchHtml = readBoolean(args, "fetchHTMLBodyValues", false);
  const fetchAll = readBoolean(args, "fetchAllBodyValues", false);
  const maxBodyValueBytes = readInt(args, "maxBodyValueBytes", 0, 0);
  const state = formatState((await currentAccount(ctx)).highestModSeq);
  // Emails by id right after a server start come with their copies from the store (account-mail-cold.ts).
  const cold = request.ids === null ? null : await coldAccountMailboxes(ctx);
  const coldCopies = cold === null ? null : await copiesOf(ctx, cold, (request.ids ?? []) as EmailId[]);
  const mail = coldCopies === null ? await loadAccountMail(ctx) : null;
  if (cold !== null) scheduleAccountMailBuild(ctx);
  const ids = request.ids ?? [...(mail?.entriesByEmail.keys() ?? [])];
  if (ids.length > ctx.limits.maxObjectsInGet) {
    throw new MethodError(
      "requestTooLarge",
      `The account has more than ${ctx.limits.maxObjectsInGet} emails; ask by id`,
    );
  }
  const wants = new Set(request.properties);
  const headerProperties = request.properties.flatMap((property) => {
    const parsed = parseHeaderProperty(property);
    return parsed === null ? [] : [[property, parsed] as const];
  });
  const list: Record<string, unknown>[] = [];
  const notFound: string[] = [];
  for (const id of ids) {
    const entries = (coldCopies ?? mail?.entriesByEmail)?.get(id as EmailId);
    const email =
      entries === undefined
        ? undefined
        : await ctx.services.store.messages.getEmail(ctx.account.id, id as EmailId);
    if (entries === undefined || email === undefined) {
      notFound.push(id);
      continue;
    }
    const object: Record<string, unknown> = emailHeaderObject(email, entries);
    const needsRaw =
      wants.has("headers") ||
      headerProperties.length > 0 ||
      (wants.has("bodyValues") && (fetchText || fetchHtml || fetchAll));
    const raw = needsRaw ? await ctx.services.messages.readAll(email.blobHash) : null;
    const root = locateParts(email.index.root);
    const lists = bodyListsOf(root);
    const partObject = (part: LocatedPart) => pick(bodyPartObject(email.emailId, part), bodyProperties);
    const block = raw === null ? null : parseHeaderBlock(raw, 0, email.index.root.bodyStart);
    if (raw !== null && block !== null) {
      for (const [property, parsed] of headerProperties) {
        object[property] = headerPropertyValue(raw, block.fields, parsed);
      }
    }
    if (raw !== null && block !== null && wants.has("headers")) {
      object.headers = block.fields.map((field) => ({
        name: raw.toString("latin1", field.start, field.valueStart - 1).trimEnd(),
        value: raw.toString("utf8", field.valueStart, field.end).replace(/\r?\n$/, ""),
      }));
    }
    if (wants.has("bodyStructure"))
      object.bodyStructure = bodyStructureOf(email.emailId, root, bodyProperties);
    object.textBody = lists.textBody.map(partObject);
    object.htmlBody = lists.htmlBody.map(partObject);
    object.attachments = lists.attachments.map(partObject);
    const bodyValues: Record<string, unknown> = {};
    if (raw !== null) {
      const valued = new Map<string, LocatedPart>();
      const add = (part: LocatedPart) => {
        if (part.section !== null && part.node.type === "text") valued.set(part.section, part);
      };
      if (fetchText) lists.textBody.forEach(add);
      if (fetchHtml) lists.htmlBody.forEach(add);
      if (fetchAll) forEachLeaf(root, add);
      for (const [section, part] of valued)
        bodyValues[section] = bodyValueOf(raw, part.node, maxBodyValueBytes);
    }
    object.bodyValues = bodyValues;
    list.push(pick(object, request.properties));
  }
  return { accountId: request.accountId, state, list, notFound };
}

function forEachLeaf(part: LocatedPart, visit: (part: LocatedPart) => void): void {
  if (part.section !== null) visit(part);
  for (const child of part.subParts) forEachLeaf(child, visit);
}

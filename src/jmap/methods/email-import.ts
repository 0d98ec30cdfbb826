// Email/import (RFC 8621 §4.8): each uploaded (or stored) blob becomes a message in the given mailboxes
// with its keywords and receivedAt, through the mail layer's append — the path IMAP APPEND takes — so
// quotas apply (overQuota), the message is indexed once, and IMAP sessions and push see it at once.
// Further mailboxes get copies of the same email (IMAP COPY), so it keeps one id.
import type { MailboxId } from "../../kit/ids.js";
import { isMailError } from "../../kit/mail-error.js";
import { requireAccount } from "../account-check.js";
import { type Args, checkKnownArgs, isId, isPlainObject, readString } from "../args.js";
import { blobIdOf } from "../email-body.js";
import { SET_ERROR_OF } from "../error-mapping.js";
import type { JmapContext } from "../jmap-context.js";
import { invalidArguments, MethodError, type SetError } from "../jmap-error.js";
import { flagsOf, isValidKeyword } from "../keywords.js";
import { flagsForAppend, isVisibleMailbox } from "../shared-accounts.js";
import { currentAccount, formatState } from "../state.js";
import { resolveBlobId } from "../upload-blob.js";
import { isUtcDate } from "../vacation-response.js";

export async function emailImport(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  checkKnownArgs(args, ["accountId", "ifInState", "emails"]);
  const accountId = requireAccount(ctx, args);
  const ifInState = readString(args, "ifInState");
  const emails = args.emails;
  if (!isPlainObject(emails)) throw invalidArguments('"emails" must map creation ids to EmailImport objects');
  if (Object.keys(emails).length > ctx.limits.maxObjectsInSet) {
    throw new MethodError("requestTooLarge", `At most ${ctx.limits.maxObjectsInSet} emails per import`);
  }
  const oldState = formatState((await currentAccount(ctx)).highestModSeq);
  if (ifInState !== undefined && ifInState !== oldState) {
    throw new MethodError("stateMismatch", "The account changed since ifInState");
  }
  const created: Record<string, unknown> = {};
  const notCreated: Record<string, SetError> = {};
  for (const [creationId, spec] of Object.entries(emails)) {
    try {
      const result = await importOne(ctx, spec);
      if ("error" in result) notCreated[creationId] = result.error;
      else created[creationId] = result.created;
    } catch (error) {
      if (!isMailError(error) || error.code === "serverBug") throw error;
      notCreated[creationId] = { type: SET_ERROR_OF[error.code], description: error.publicText };
    }
  }
  return {
    accountId,
    oldState,
    newState: formatState((await currentAccount(ctx)).highestModSeq),
    created: Object.keys(created).length === 0 ? null : created,
    notCreated: Object.keys(notCreated).length === 0 ? null : notCreated,
  };
}

type ImportResult = { readonly created: Record<string, unknown> } | { readonly error: SetError };

async function importOne(ctx: JmapContext, spec: unknown): Promise<ImportResult> {
  const invalid = (properties: string[], description: string): ImportResult => ({
    error: { type: "invalidProperties", description, properties },
  });
  if (!isPlainObject(spec)) return invalid([], "An EmailImport must be an object");
  const unknown = Object.keys(spec).filter(
    (k) => !["blobId", "mailboxIds", "keywords", "receivedAt"].includes(k),
  );
  if (unknown.length > 0) return invalid(unknown, "Unknown properties");
  const { blobId, mailboxIds, keywords, receivedAt } = spec;
  if (!isId(blobId)) return invalid(["blobId"], '"blobId" must be an id');
  if (!isPlainObject(mailboxIds) || Object.keys(mailboxIds).length === 0) {
    return invalid(["mailboxIds"], "At least one mailbox is required");
  }
  const keywordList = keywords === undefined ? [] : isPlainObject(keywords) ? Object.keys(keywords) : null;
  if (
    keywordList === null ||
    !keywordList.every((k) => isValidKeyword(k) && (keywords as Record<string, unknown>)[k] === true)
  ) {
    return invalid(["keywords"], '"keywords" must map valid keywords to true');
  }
  if (receivedAt !== undefined && !isUtcDate(receivedAt))
    return invalid(["receivedAt"], '"receivedAt" must be a UTCDate');
  const mailboxes = await ctx.services.store.mailboxes.list(ctx.account.id);
  const targets: MailboxId[] = [];
  for (const [id, value] of Object.entries(mailboxIds)) {
    if (value !== true || !mailboxes.some((m) => m.id === id) || !isVisibleMailbox(ctx, id as MailboxId))
      return invalid(["mailboxIds"], `No mailbox ${id}`);
    targets.push(id as MailboxId);
  }
  // In a shared account (shared-accounts.ts): the i right on every target, flags only with their right.
  const flags = flagsForAppend(ctx, targets, flagsOf(keywordList, false));
  if ("type" in flags) return { error: flags };
  const hash = await resolveBlobId(ctx, blobId);
  if (hash === undefined) return { error: { type: "blobNotFound", description: `No blob ${blobId}` } };
  const raw = await ctx.services.store.blobs.read(hash);
  const [first, ...others] = targets as [MailboxId, ...MailboxId[]];
  const [appended] = await ctx.services.messages.appendBlobs(ctx.account.id, first, [
    {
      blobHash: hash,
      raw,
      flags,
      internalDateMs: receivedAt === undefined ? Date.now() : Date.parse(receivedAt),
    },
  ]);
  if (appended === undefined) throw new Error("append returned nothing");
  for (const other of others)
    await ctx.services.store.messages.copy(ctx.account.id, first, [appended.uid], other);
  const created = {
    id: appended.emailId,
    blobId: blobIdOf(appended.emailId),
    threadId: appended.threadId,
    size: raw.length,
  };
  return { created };
}

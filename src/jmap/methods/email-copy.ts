// Email/copy (RFC 8621 §4.7, RFC 8620 §5.4): copies emails between the user's account and an account
// shared with them (shared-accounts.ts). The copy is a new Email of the target account, stored through the
// mail layer's append (quota, indexing, IMAP and push see it) into its first mailbox and copied into the
// rest; with onSuccessDestroyOriginal, the originals are then destroyed by an implicit Email/set.
import type { EmailId, MailboxId } from "../../kit/ids.js";
import { isMailError } from "../../kit/mail-error.js";
import { requireAccount } from "../account-check.js";
import { loadAccountMail, receivedAtOf } from "../account-mail.js";
import {
  type Args,
  checkKnownArgs,
  isId,
  isPlainObject,
  readBoolean,
  readRequiredString,
  readString,
} from "../args.js";
import { blobIdOf } from "../email-body.js";
import { keywordsOfEntries } from "../email-object.js";
import { SET_ERROR_OF } from "../error-mapping.js";
import type { JmapContext } from "../jmap-context.js";
import { invalidArguments, MethodError, type SetError } from "../jmap-error.js";
import { flagsOf, isValidKeyword } from "../keywords.js";
import { contextForAccount, flagsForAppend } from "../shared-accounts.js";
import { currentAccount, formatState } from "../state.js";
import { isUtcDate } from "../vacation-response.js";
import { emailSet } from "./email-set.js";

export async function emailCopy(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  checkKnownArgs(args, [
    "fromAccountId",
    "ifFromInState",
    "accountId",
    "ifInState",
    "create",
    "onSuccessDestroyOriginal",
    "destroyFromIfInState",
  ]);
  const accountId = requireAccount(ctx, args);
  const fromAccountId = readRequiredString(args, "fromAccountId");
  const ifFromInState = readString(args, "ifFromInState");
  const ifInState = readString(args, "ifInState");
  const destroyOriginal = readBoolean(args, "onSuccessDestroyOriginal", false);
  const destroyFromIfInState = readString(args, "destroyFromIfInState");
  if (fromAccountId === accountId) throw invalidArguments('"fromAccountId" must differ from "accountId"');
  const create = args.create;
  if (!isPlainObject(create)) throw invalidArguments('"create" must map creation ids to Email copies');
  if (Object.keys(create).length > ctx.limits.maxObjectsInSet) {
    throw new MethodError("requestTooLarge", `At most ${ctx.limits.maxObjectsInSet} objects per /copy`);
  }
  const fromCtx = await contextForAccount(ctx, fromAccountId);
  if (fromCtx === undefined) throw new MethodError("fromAccountNotFound", "No such account");
  const fromState = formatState((await currentAccount(fromCtx)).highestModSeq);
  if (ifFromInState !== undefined && ifFromInState !== fromState) {
    throw new MethodError("stateMismatch", "The source account changed since ifFromInState");
  }
  const oldState = formatState((await currentAccount(ctx)).highestModSeq);
  if (ifInState !== undefined && ifInState !== oldState) {
    throw new MethodError("stateMismatch", "The account changed since ifInState");
  }

  const from = await loadAccountMail(fromCtx);
  const targetMailboxes = new Set<string>((await loadAccountMail(ctx)).mailboxes.map((m) => m.id));
  const created: Record<string, unknown> = {};
  const notCreated: Record<string, SetError> = {};
  const copied: string[] = [];
  for (const [creationId, spec] of Object.entries(create)) {
    try {
      const result = await copyOne(ctx, fromCtx, from, targetMailboxes, spec);
      if ("type" in result) notCreated[creationId] = result;
      else {
        created[creationId] = result.created;
        ctx.createdIds.set(creationId, result.created.id);
        copied.push(result.originalId);
      }
    } catch (error) {
      if (!isMailError(error) || error.code === "serverBug") throw error;
      notCreated[creationId] = { type: SET_ERROR_OF[error.code], description: error.publicText };
    }
  }
  if (destroyOriginal && copied.length > 0) {
    // RFC 8620 §5.4: as if Email/set were called next, its response following this one.
    const destroyArgs = {
      accountId: fromAccountId,
      destroy: copied,
      ...(destroyFromIfInState === undefined ? {} : { ifInState: destroyFromIfInState }),
    };
    try {
      ctx.implicitResponses.push(["Email/set", await emailSet(fromCtx, destroyArgs)]);
    } catch (error) {
      if (!(error instanceof MethodError)) throw error;
      ctx.implicitResponses.push(["error", error.toJSON()]);
    }
  }
  return {
    fromAccountId,
    accountId,
    oldState,
    newState: formatState((await currentAccount(ctx)).highestModSeq),
    created: Object.keys(created).length === 0 ? null : created,
    notCreated: Object.keys(notCreated).length === 0 ? null : notCreated,
  };
}

type CopyResult =
  | {
      readonly originalId: string;
      readonly created: { id: string; blobId: string; threadId: string; size: number };
    }
  | SetError;

async function copyOne(
  ctx: JmapContext,
  fromCtx: JmapContext,
  from: Awaited<ReturnType<typeof loadAccountMail>>,
  targetMailboxes: ReadonlySet<string>,
  spec: unknown,
): Promise<CopyResult> {
  const invalid = (properties: string[], description: string): SetError => ({
    type: "invalidProperties",
    description,
    properties,
  });
  if (!isPlainObject(spec)) return invalid([], "An Email copy must be an object");
  const unknown = Object.keys(spec).filter(
    (k) => !["id", "mailboxIds", "keywords", "receivedAt"].includes(k),
  );
  if (unknown.length > 0)
    return invalid(unknown, "Only mailboxIds, keywords and receivedAt can be set on a copy");
  const { id, mailboxIds, keywords, receivedAt } = spec;
  if (!isId(id)) return invalid(["id"], '"id" must be the id of the email to copy');
  const entries = from.entriesByEmail.get(id as EmailId);
  if (entries === undefined) return { type: "notFound", description: `No email ${id} in the source account` };
  if (!isPlainObject(mailboxIds) || Object.keys(mailboxIds).length === 0) {
    return invalid(["mailboxIds"], "At least one mailbox is required");
  }
  const targets: MailboxId[] = [];
  for (const [mailboxId, value] of Object.entries(mailboxIds)) {
    if (value !== true || !targetMailboxes.has(mailboxId))
      return invalid(["mailboxIds"], `No mailbox ${mailboxId}`);
    targets.push(mailboxId as MailboxId);
  }
  // Without `keywords` and `receivedAt`, the copy keeps the original's (RFC 8620 §5.4).
  const keywordList =
    keywords === undefined
      ? Object.keys(keywordsOfEntries(entries))
      : isPlainObject(keywords)
        ? Object.keys(keywords)
        : null;
  if (
    keywordList === null ||
    !keywordList.every(
      (k) =>
        isValidKeyword(k) && (keywords === undefined || (keywords as Record<string, unknown>)[k] === true),
    )
  ) {
    return invalid(["keywords"], '"keywords" must map valid keywords to true');
  }
  if (receivedAt !== undefined && !isUtcDate(receivedAt))
    return invalid(["receivedAt"], '"receivedAt" must be a UTCDate');
  const flags = flagsForAppend(ctx, targets, flagsOf(keywordList, false));
  if ("type" in flags) return flags;
  const [first, ...others] = targets as [MailboxId, ...MailboxId[]];
  const email = await fromCtx.services.store.messages.getEmail(fromCtx.account.id, id as EmailId);
  if (email === undefined) return { type: "notFound", description: `No email ${id} in the source account` };
  const raw = await ctx.services.store.blobs.read(email.blobHash);
  const [appended] = await ctx.services.messages.appendBlobs(ctx.account.id, first, [
    {
      blobHash: email.blobHash,
      raw,
      flags,
      internalDateMs: receivedAt === undefined ? receivedAtOf(entries) : Date.parse(receivedAt),
    },
  ]);
  if (appended === undefined) throw new Error("append returned nothing");
  for (const other of others)
    await ctx.services.store.messages.copy(ctx.account.id, first, [appended.uid], other);
  return {
    originalId: id,
    created: {
      id: appended.emailId,
      blobId: blobIdOf(appended.emailId),
      threadId: appended.threadId,
      size: raw.length,
    },
  };
}

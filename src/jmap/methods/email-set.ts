// Email/set (RFC 8621 §4.6, RFC 8620 §5.3): create (the Email object written as a message by
// email-create.ts, then stored through the mail layer's append like Email/import and IMAP APPEND), keyword
// and mailboxIds updates, and destroy, made through the same store operations IMAP's APPEND, STORE, COPY,
// MOVE and EXPUNGE use, so IMAP sessions (IDLE included) see them as they see another IMAP client's changes.

import type { EmailId, MailboxId } from "../../kit/ids.js";
import { isMailError } from "../../kit/mail-error.js";
import type { MailboxEntry } from "../../store/mail-store.js";
import { requireAccount } from "../account-check.js";
import { loadAccountMail } from "../account-mail.js";
import { type Args, checkKnownArgs, isId, isPlainObject, readString } from "../args.js";
import { blobIdOf } from "../email-body.js";
import { prepareEmail } from "../email-create.js";
import { keywordsOfEntries } from "../email-object.js";
import { SET_ERROR_OF } from "../error-mapping.js";
import { type JmapContext, resolveCreationId } from "../jmap-context.js";
import { MethodError, type SetError } from "../jmap-error.js";
import { flagsOf, isValidKeyword, keywordsOf } from "../keywords.js";
import { checkEmailWrite } from "../shared-accounts.js";
import { currentAccount, formatState } from "../state.js";

export async function emailSet(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  checkKnownArgs(args, ["accountId", "ifInState", "create", "update", "destroy"]);
  const accountId = requireAccount(ctx, args);
  const ifInState = readString(args, "ifInState");
  const create = readMap(args, "create");
  const update = readMap(args, "update");
  const destroy = args.destroy ?? null;
  if (destroy !== null && (!Array.isArray(destroy) || !destroy.every((id) => typeof id === "string"))) {
    throw new MethodError("invalidArguments", '"destroy" must be a list of ids');
  }
  const destroyIds = (destroy ?? []) as string[];
  const count = Object.keys(create).length + Object.keys(update).length + destroyIds.length;
  if (count > ctx.limits.maxObjectsInSet) {
    throw new MethodError("requestTooLarge", `At most ${ctx.limits.maxObjectsInSet} objects per /set`);
  }
  const oldState = formatState((await currentAccount(ctx)).highestModSeq);
  if (ifInState !== undefined && ifInState !== oldState) {
    throw new MethodError("stateMismatch", "The account changed since ifInState");
  }

  const created: Record<string, unknown> = {};
  const notCreated: Record<string, SetError> = {};
  if (Object.keys(create).length > 0) {
    const known = new Set<string>((await ctx.services.store.mailboxes.list(ctx.account.id)).map((m) => m.id));
    for (const [creationId, object] of Object.entries(create)) {
      if (ctx.shared !== undefined) {
        notCreated[creationId] = { type: "forbidden", description: "Create emails in your own account" };
        continue;
      }
      try {
        const outcome = await createEmail(ctx, object, known);
        if ("type" in outcome) notCreated[creationId] = outcome;
        else {
          created[creationId] = outcome;
          ctx.createdIds.set(creationId, outcome.id);
        }
      } catch (error) {
        if (!isMailError(error) || error.code === "serverBug") throw error;
        notCreated[creationId] = { type: SET_ERROR_OF[error.code], description: error.publicText };
      }
    }
  }

  const mail = await loadAccountMail(ctx);
  const mailboxIds = new Set<string>(mail.mailboxes.map((m) => m.id));
  const updated: Record<string, null> = {};
  const notUpdated: Record<string, SetError> = {};
  for (const [id, patch] of Object.entries(update)) {
    const entries = mail.entriesByEmail.get((resolveCreationId(ctx, id) ?? "") as EmailId);
    if (entries === undefined) {
      notUpdated[id] = { type: "notFound" };
      continue;
    }
    try {
      const plan = planUpdate(patch, entries, mailboxIds);
      if ("type" in plan) {
        notUpdated[id] = plan;
        continue;
      }
      checkEmailWrite(ctx, entries, plan.keywords, plan.mailboxIds);
      await applyKeywords(ctx, entries, plan.keywords);
      await applyMailboxes(ctx, entries, plan.mailboxIds);
      updated[id] = null;
    } catch (error) {
      if (!isMailError(error) || error.code === "serverBug") throw error;
      notUpdated[id] = { type: SET_ERROR_OF[error.code], description: error.publicText };
    }
  }

  const destroyed: string[] = [];
  const notDestroyed: Record<string, SetError> = {};
  for (const given of destroyIds) {
    const id = resolveCreationId(ctx, given) ?? given;
    const entries = mail.entriesByEmail.get(id as EmailId);
    if (entries === undefined || Object.hasOwn(update, id)) {
      notDestroyed[id] = entries === undefined ? { type: "notFound" } : { type: "willDestroy" };
      continue;
    }
    try {
      checkEmailWrite(ctx, entries, null, new Set());
      for (const [mailboxId, uids] of uidsByMailbox(entries)) {
        await ctx.services.store.messages.expunge(ctx.account.id, mailboxId, uids);
      }
      destroyed.push(id);
    } catch (error) {
      if (!isMailError(error) || error.code === "serverBug") throw error;
      notDestroyed[id] = { type: SET_ERROR_OF[error.code], description: error.publicText };
    }
  }
  return {
    accountId,
    oldState,
    newState: formatState((await currentAccount(ctx)).highestModSeq),
    created: Object.keys(created).length === 0 ? null : created,
    updated: Object.keys(updated).length === 0 ? null : updated,
    destroyed: destroyed.length === 0 ? null : destroyed,
    notCreated: Object.keys(notCreated).length === 0 ? null : notCreated,
    notUpdated: Object.keys(notUpdated).length === 0 ? null : notUpdated,
    notDestroyed: Object.keys(notDestroyed).length === 0 ? null : notDestroyed,
  };
}

/** Writes and stores one new email: appended to its first mailbox (quota, push, IMAP), copied to the rest. */
async function createEmail(
  ctx: JmapContext,
  object: unknown,
  knownMailboxIds: ReadonlySet<string>,
): Promise<{ id: string; blobId: string; threadId: string; size: number } | SetError> {
  const email = await prepareEmail(ctx, object, knownMailboxIds, Date.now());
  if ("type" in email) return email;
  const [first, ...others] = email.mailboxIds as [MailboxId, ...MailboxId[]];
  const appended = await ctx.services.messages.append(ctx.account.id, first, email.raw, {
    flags: flagsOf(email.keywords, false),
    internalDateMs: email.receivedAtMs ?? Date.now(),
  });
  for (const other of others) {
    await ctx.services.store.messages.copy(ctx.account.id, first, [appended.uid], other);
  }
  return {
    id: appended.emailId,
    blobId: blobIdOf(appended.emailId),
    threadId: appended.threadId,
    size: email.raw.length,
  };
}

function readMap(args: Args, name: string): Record<string, unknown> {
  const value = args[name];
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw new MethodError("invalidArguments", `"${name}" must be an object`);
  return value;
}

interface UpdatePlan {
  /** The email's keywords afterwards (lower-case), or null when the patch leaves them alone. */
  readonly keywords: ReadonlySet<string> | null;
  readonly mailboxIds: ReadonlySet<string> | null;
}

/** RFC 8620 §5.3 PatchObject over keywords and mailboxIds: whole values or one "keywords/x" at a time. */
function planUpdate(
  patch: unknown,
  entries: readonly MailboxEntry[],
  known: ReadonlySet<string>,
): UpdatePlan | SetError {
  if (!isPlainObject(patch)) return { type: "invalidPatch", description: "A patch must be an object" };
  let keywords: Set<string> | null = null;
  let mailboxIds: Set<string> | null = null;
  const wholeKeys = new Set(Object.keys(patch).filter((key) => !key.includes("/")));
  for (const [path, value] of Object.entries(patch)) {
    const slash = path.indexOf("/");
    const property = slash < 0 ? path : path.slice(0, slash);
    const member =
      slash < 0
        ? null
        : path
            .slice(slash + 1)
            .replaceAll("~1", "/")
            .replaceAll("~0", "~");
    if (property !== "keywords" && property !== "mailboxIds") {
      return {
        type: "invalidProperties",
        description: `"${property}" cannot be changed`,
        properties: [property],
      };
    }
    if (member !== null && wholeKeys.has(property)) {
      return { type: "invalidPatch", description: `"${path}" patches a property the patch also replaces` };
    }
    if (property === "keywords") {
      keywords ??= member === null ? new Set() : new Set(Object.keys(keywordsOfEntries(entries)));
      if (member === null) {
        if (
          !isPlainObject(value) ||
          !Object.entries(value).every(([k, v]) => v === true && isValidKeyword(k))
        ) {
          return {
            type: "invalidProperties",
            description: "keywords must map valid keywords to true",
            properties: ["keywords"],
          };
        }
        for (const keyword of Object.keys(value)) keywords.add(keyword.toLowerCase());
      } else {
        if (!isValidKeyword(member) || (value !== true && value !== null)) {
          return {
            type: "invalidProperties",
            description: `"${path}" must be true or null`,
            properties: ["keywords"],
          };
        }
        if (value === true) keywords.add(member.toLowerCase());
        else keywords.delete(member.toLowerCase());
      }
    } else {
      mailboxIds ??= member === null ? new Set() : new Set(entries.map((e) => e.mailboxId as string));
      if (member === null) {
        if (!isPlainObject(value) || !Object.entries(value).every(([k, v]) => v === true && isId(k))) {
          return {
            type: "invalidProperties",
            description: "mailboxIds must map ids to true",
            properties: ["mailboxIds"],
          };
        }
        for (const id of Object.keys(value)) mailboxIds.add(id);
      } else {
        if (!isId(member) || (value !== true && value !== null)) {
          return {
            type: "invalidProperties",
            description: `"${path}" must be true or null`,
            properties: ["mailboxIds"],
          };
        }
        if (value === true) mailboxIds.add(member);
        else mailboxIds.delete(member);
      }
    }
  }
  if (mailboxIds !== null) {
    if (mailboxIds.size === 0) {
      return {
        type: "invalidProperties",
        description: "An email must be in at least one mailbox",
        properties: ["mailboxIds"],
      };
    }
    for (const id of mailboxIds) {
      if (!known.has(id))
        return { type: "invalidProperties", description: `No mailbox ${id}`, properties: ["mailboxIds"] };
    }
  }
  return { keywords, mailboxIds };
}

/** Adds and removes, per entry, only the keywords that differ, so concurrent IMAP changes to others stay. */
async function applyKeywords(
  ctx: JmapContext,
  entries: readonly MailboxEntry[],
  target: ReadonlySet<string> | null,
): Promise<void> {
  if (target === null) return;
  for (const entry of entries) {
    const current = new Set(Object.keys(keywordsOf(entry.flags)));
    const toAdd = [...target].filter((k) => !current.has(k));
    const toRemove = [...current].filter((k) => !target.has(k));
    const uids = [entry.uid];
    if (toAdd.length > 0) {
      await ctx.services.store.messages.updateFlags(ctx.account.id, entry.mailboxId, uids, {
        operation: "add",
        flags: flagsOf(toAdd, false),
      });
    }
    if (toRemove.length > 0) {
      await ctx.services.store.messages.updateFlags(ctx.account.id, entry.mailboxId, uids, {
        operation: "remove",
        flags: flagsOf(toRemove, false),
      });
    }
  }
}

/**
 * Puts the email into exactly the target mailboxes: a MOVE (one atomic step, as IMAP MOVE) from a
 * mailbox it leaves to the first one it joins, COPY to any further ones, EXPUNGE from the rest it leaves.
 */
async function applyMailboxes(
  ctx: JmapContext,
  entries: readonly MailboxEntry[],
  target: ReadonlySet<string> | null,
): Promise<void> {
  if (target === null) return;
  const { messages } = ctx.services.store;
  const accountId = ctx.account.id;
  const byMailbox = uidsByMailbox(entries);
  const toJoin = [...target].filter((id) => !byMailbox.has(id as MailboxId)) as MailboxId[];
  const toLeave = [...byMailbox.keys()].filter((id) => !target.has(id));
  const first = entries[0] as MailboxEntry;
  for (const [index, destination] of toJoin.entries()) {
    const leaving = index === 0 ? toLeave.shift() : undefined;
    if (leaving !== undefined)
      await messages.move(accountId, leaving, byMailbox.get(leaving) ?? [], destination);
    else await messages.copy(accountId, first.mailboxId, [first.uid], destination);
  }
  for (const mailboxId of toLeave)
    await messages.expunge(accountId, mailboxId, byMailbox.get(mailboxId) ?? []);
}

function uidsByMailbox(entries: readonly MailboxEntry[]): Map<MailboxId, MailboxEntry["uid"][]> {
  const map = new Map<MailboxId, MailboxEntry["uid"][]>();
  for (const entry of entries) {
    const list = map.get(entry.mailboxId);
    if (list === undefined) map.set(entry.mailboxId, [entry.uid]);
    else list.push(entry.uid);
  }
  return map;
}

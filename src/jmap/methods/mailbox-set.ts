// Mailbox/set (RFC 8621 §2.5): create (name, parentId, role, isSubscribed), update (rename or move by name
// and parentId, role, isSubscribed) and destroy (onDestroyRemoveEmails), through the mailbox service IMAP's
// CREATE, RENAME, DELETE and SUBSCRIBE use, so IMAP clients see the same folders at once. In an account
// shared with the user, with the rights IMAP would ask for (shared-mailbox-rules.ts).

import type { MailboxId } from "../../kit/ids.js";
import { isMailError } from "../../kit/mail-error.js";
import type { MailboxRecord, SpecialUse } from "../../store/mail-store.js";
import { requireAccount } from "../account-check.js";
import { type Args, checkKnownArgs, isPlainObject, readBoolean, readString } from "../args.js";
import { SET_ERROR_OF } from "../error-mapping.js";
import type { JmapContext } from "../jmap-context.js";
import { MethodError, type SetError } from "../jmap-error.js";
import { specialUseOfRole } from "../mailbox-object.js";
import { SharedMailboxRules } from "../shared-mailbox-rules.js";
import { currentAccount, formatState } from "../state.js";

const SETTABLE = new Set(["name", "parentId", "role", "isSubscribed", "sortOrder"]);

export async function mailboxSet(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  checkKnownArgs(args, ["accountId", "ifInState", "create", "update", "destroy", "onDestroyRemoveEmails"]);
  const accountId = requireAccount(ctx, args);
  const ifInState = readString(args, "ifInState");
  const create = readMap(args, "create");
  const update = readMap(args, "update");
  const destroy = args.destroy ?? null;
  if (destroy !== null && (!Array.isArray(destroy) || !destroy.every((id) => typeof id === "string"))) {
    throw new MethodError("invalidArguments", '"destroy" must be a list of ids');
  }
  const destroyIds = (destroy ?? []) as string[];
  const removeEmails = readBoolean(args, "onDestroyRemoveEmails", false);
  if (
    Object.keys(create).length + Object.keys(update).length + destroyIds.length >
    ctx.limits.maxObjectsInSet
  ) {
    throw new MethodError("requestTooLarge", `At most ${ctx.limits.maxObjectsInSet} objects per /set`);
  }
  const oldState = formatState((await currentAccount(ctx)).highestModSeq);
  if (ifInState !== undefined && ifInState !== oldState) {
    throw new MethodError("stateMismatch", "The account changed since ifInState");
  }
  const accountKey = ctx.account.id;
  const { mailboxes } = ctx.services;
  /** Creation ids of this call → the ids they got, for a parentId of "#creationId". */
  const createdIds = new Map<string, string>();
  const run = async <T>(work: () => Promise<T>): Promise<T | SetError> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof SetFailure) return error.setError;
      if (!isMailError(error) || error.code === "serverBug") throw error;
      return { type: SET_ERROR_OF[error.code], description: error.publicText };
    }
  };
  const rules = SharedMailboxRules.of(ctx);
  const list = async () => {
    const all = await ctx.services.store.mailboxes.list(accountKey);
    return rules === null ? all : rules.visible(all);
  };

  const created: Record<string, unknown> = {};
  const notCreated: Record<string, SetError> = {};
  for (const [creationId, object] of Object.entries(create)) {
    const outcome = await run(async () => {
      const props = readProps(object);
      if (typeof props.name !== "string")
        throw failure("invalidProperties", "A mailbox needs a name", ["name"]);
      rules?.checkProperties(props);
      const all = await list();
      const parent = resolveParent(props.parentId ?? null, all, createdIds);
      const name = parent === null ? props.name : `${parent.name}/${props.name}`;
      checkLeafName(props.name);
      const role = roleOfProps(props);
      const inheritFrom = rules === null ? null : await rules.checkCreate(name);
      const mailbox = await mailboxes.create(accountKey, name, role ?? null);
      await rules?.inheritAcl(inheritFrom, mailbox);
      if (props.isSubscribed === true) await mailboxes.setSubscribed(accountKey, mailbox.name, true);
      createdIds.set(creationId, mailbox.id);
      return {
        id: mailbox.id,
        sortOrder: 10,
        totalEmails: 0,
        unreadEmails: 0,
        totalThreads: 0,
        unreadThreads: 0,
        isSubscribed: props.isSubscribed === true,
      };
    });
    if ("type" in outcome) notCreated[creationId] = outcome as SetError;
    else created[creationId] = outcome;
  }

  const updated: Record<string, null> = {};
  const notUpdated: Record<string, SetError> = {};
  for (const [id, patch] of Object.entries(update)) {
    const outcome = await run(async () => {
      const props = readProps(patch);
      const all = await list();
      const mailbox = all.find((m) => m.id === id);
      if (mailbox === undefined) throw failure("notFound", "No such mailbox");
      rules?.checkProperties(props);
      if (props.sortOrder !== undefined && props.sortOrder !== (mailbox.name === "INBOX" ? 0 : 10)) {
        throw failure("invalidProperties", "sortOrder cannot be changed yet", ["sortOrder"]);
      }
      if ("role" in props) {
        const role = roleOfProps(props);
        await ctx.services.store.mailboxes.setSpecialUse(accountKey, mailbox.id, role ?? null);
      }
      let current = mailbox;
      if ("name" in props || "parentId" in props) {
        const slash = mailbox.name.lastIndexOf("/");
        const leaf = typeof props.name === "string" ? props.name : mailbox.name.slice(slash + 1);
        if (typeof props.name === "string") checkLeafName(leaf);
        const parent =
          "parentId" in props
            ? resolveParent(props.parentId ?? null, all, createdIds)
            : slash < 0
              ? null
              : (all.find((m) => m.name === mailbox.name.slice(0, slash)) ?? null);
        const target = parent === null ? leaf : `${parent.name}/${leaf}`;
        if (parent !== null && (parent.id === mailbox.id || parent.name.startsWith(`${mailbox.name}/`))) {
          throw failure("invalidProperties", "A mailbox cannot move below itself", ["parentId"]);
        }
        if (target !== mailbox.name) {
          if (mailbox.name === "INBOX") throw failure("forbidden", "INBOX cannot be renamed over JMAP");
          await rules?.requireDeleteRight(mailbox);
          await rules?.checkCreate(target);
          current = await mailboxes.rename(accountKey, mailbox.name, target);
        }
      }
      // In a shared account the subscription is the owner's (checkProperties let only false through).
      if (typeof props.isSubscribed === "boolean" && rules === null)
        await mailboxes.setSubscribed(accountKey, current.name, props.isSubscribed);
      return null;
    });
    if (outcome === null) updated[id] = null;
    else notUpdated[id] = outcome;
  }

  const destroyed: string[] = [];
  const notDestroyed: Record<string, SetError> = {};
  for (const id of destroyIds) {
    const outcome = await run(async () => {
      const mailbox = (await list()).find((m) => m.id === id);
      if (mailbox === undefined) throw failure("notFound", "No such mailbox");
      await rules?.requireDeleteRight(mailbox);
      if (!removeEmails && mailbox.messageCount > 0) {
        throw failure("mailboxHasEmail", "The mailbox has emails; set onDestroyRemoveEmails to remove them");
      }
      await mailboxes.delete(accountKey, mailbox.name);
      return null;
    });
    if (outcome === null) destroyed.push(id);
    else notDestroyed[id] = outcome;
  }
  return {
    accountId,
    oldState,
    newState: formatState((await currentAccount(ctx)).highestModSeq),
    created: nullIfEmpty(created),
    updated: nullIfEmpty(updated),
    destroyed: destroyed.length === 0 ? null : destroyed,
    notCreated: nullIfEmpty(notCreated),
    notUpdated: nullIfEmpty(notUpdated),
    notDestroyed: nullIfEmpty(notDestroyed),
  };
}

class SetFailure extends Error {
  constructor(readonly setError: SetError) {
    super(setError.description ?? setError.type);
  }
}

const failure = (type: SetError["type"], description: string, properties?: string[]): SetFailure =>
  new SetFailure({ type, description, ...(properties === undefined ? {} : { properties }) });

function nullIfEmpty<T extends object>(value: T): T | null {
  return Object.keys(value).length === 0 ? null : value;
}

function readMap(args: Args, name: string): Record<string, unknown> {
  const value = args[name];
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw new MethodError("invalidArguments", `"${name}" must be an object`);
  return value;
}

function readProps(object: unknown): Record<string, unknown> {
  if (!isPlainObject(object)) throw failure("invalidProperties", "A mailbox must be an object");
  const bad = Object.keys(object).filter((key) => !SETTABLE.has(key));
  if (bad.length > 0) throw failure("invalidProperties", `Not settable: ${bad.join(", ")}`, bad);
  const { name, parentId, role, isSubscribed, sortOrder } = object;
  if (name !== undefined && typeof name !== "string")
    throw failure("invalidProperties", "name must be a string", ["name"]);
  if (parentId !== undefined && parentId !== null && typeof parentId !== "string") {
    throw failure("invalidProperties", "parentId must be an id or null", ["parentId"]);
  }
  if (role !== undefined && role !== null && typeof role !== "string")
    throw failure("invalidProperties", "role must be a string or null", ["role"]);
  if (isSubscribed !== undefined && typeof isSubscribed !== "boolean") {
    throw failure("invalidProperties", "isSubscribed must be a boolean", ["isSubscribed"]);
  }
  if (
    sortOrder !== undefined &&
    (typeof sortOrder !== "number" || !Number.isSafeInteger(sortOrder) || sortOrder < 0)
  ) {
    throw failure("invalidProperties", "sortOrder must be a non-negative integer", ["sortOrder"]);
  }
  return object;
}

/** A name is one level: the hierarchy comes from parentId (RFC 8621 §2: name is not the path). */
function checkLeafName(name: string): void {
  if (name === "" || name.includes("/")) {
    throw failure("invalidProperties", 'A mailbox name is one non-empty level without "/"', ["name"]);
  }
}

function roleOfProps(props: Record<string, unknown>): SpecialUse | undefined {
  const role = props.role;
  if (role === undefined || role === null) return undefined;
  const use = specialUseOfRole(role as string);
  if (use === undefined)
    throw failure("invalidProperties", `The role "${String(role)}" cannot be set`, ["role"]);
  return use;
}

function resolveParent(
  parentId: unknown,
  all: readonly MailboxRecord[],
  createdIds: ReadonlyMap<string, string>,
): MailboxRecord | null {
  if (parentId === null) return null;
  const id =
    typeof parentId === "string" && parentId.startsWith("#") ? createdIds.get(parentId.slice(1)) : parentId;
  const parent = all.find((m) => m.id === (id as MailboxId | undefined));
  if (parent === undefined) throw failure("invalidProperties", "No such parent mailbox", ["parentId"]);
  return parent;
}

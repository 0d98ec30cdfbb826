// EmailSubmission/set (RFC 8621 §7.5): create sends an email at once (email-submission.ts: local
// recipients through the delivery service, others queued for the outbound sender) and stores the
// submission as `final`; update may only try to cancel (cannotUnsend); destroy forgets a submission. On
// success, onSuccessUpdateEmail / onSuccessDestroyEmail run as an implicit Email/set whose response
// follows this one with the same call id (e.g. move the draft to Sent, set $seen, unset $draft).
import { requireAccount } from "../account-check.js";
import { type Args, checkKnownArgs, isPlainObject, readString } from "../args.js";
import {
  type EmailSubmissionObject,
  formatObjectState,
  listSubmissions,
  SUBMISSION_TYPE,
  submitEmail,
} from "../email-submission.js";
import { listIdentities } from "../identity.js";
import type { JmapContext } from "../jmap-context.js";
import { MethodError, type SetError } from "../jmap-error.js";
import { emailSet } from "./email-set.js";

export async function emailSubmissionSet(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  checkKnownArgs(args, [
    "accountId",
    "ifInState",
    "create",
    "update",
    "destroy",
    "onSuccessUpdateEmail",
    "onSuccessDestroyEmail",
  ]);
  const accountId = requireAccount(ctx, args);
  const ifInState = readString(args, "ifInState");
  const create = readMap(args, "create");
  const update = readMap(args, "update");
  const onSuccessUpdate = readMap(args, "onSuccessUpdateEmail");
  const destroyIds = readIdList(args, "destroy");
  const onSuccessDestroy = readIdList(args, "onSuccessDestroyEmail");
  const count = Object.keys(create).length + Object.keys(update).length + destroyIds.length;
  if (count > ctx.limits.maxObjectsInSet) {
    throw new MethodError("requestTooLarge", `At most ${ctx.limits.maxObjectsInSet} objects per /set`);
  }
  const { jmapObjects } = ctx.services.store;
  const state = async () =>
    formatObjectState(await jmapObjects.highestModSeq(ctx.account.id, SUBMISSION_TYPE));
  const oldState = await state();
  if (ifInState !== undefined && ifInState !== oldState) {
    throw new MethodError("stateMismatch", "The submissions changed since ifInState");
  }

  const { identities } = await listIdentities(ctx);
  const sender = {
    identities: new Map(identities.map((i) => [i.id, i.email])),
    ownAddresses: new Set(identities.map((i) => i.email.toLowerCase())),
  };
  const created: Record<string, unknown> = {};
  const notCreated: Record<string, SetError> = {};
  /** "#creationId" of each submission this call created → the email it sent, for onSuccess*. */
  const emailOf = new Map<string, string>();
  for (const [creationId, object] of Object.entries(create)) {
    const outcome = await submitEmail(ctx, object, sender);
    if ("type" in outcome) {
      notCreated[creationId] = outcome;
      continue;
    }
    await jmapObjects.put(ctx.account.id, SUBMISSION_TYPE, outcome.id, JSON.stringify(outcome));
    ctx.createdIds.set(creationId, outcome.id);
    emailOf.set(`#${creationId}`, outcome.emailId);
    created[creationId] = {
      id: outcome.id,
      threadId: outcome.threadId,
      sendAt: outcome.sendAt,
      undoStatus: outcome.undoStatus,
      deliveryStatus: outcome.deliveryStatus,
      dsnBlobIds: [],
      mdnBlobIds: [],
      ...(isPlainObject(object) && object.envelope !== undefined ? {} : { envelope: outcome.envelope }),
    };
  }

  const existing = new Map<string, EmailSubmissionObject>((await listSubmissions(ctx)).map((s) => [s.id, s]));
  const updated: Record<string, null> = {};
  const notUpdated: Record<string, SetError> = {};
  for (const [given, patch] of Object.entries(update)) {
    const id = given.startsWith("#") ? (ctx.createdIds.get(given.slice(1)) ?? given) : given;
    if (!existing.has(id)) notUpdated[given] = { type: "notFound" };
    else if (!isPlainObject(patch)) notUpdated[given] = { type: "invalidPatch" };
    else if (Object.keys(patch).some((key) => key !== "undoStatus")) {
      notUpdated[given] = {
        type: "invalidProperties",
        description: "Only undoStatus can be changed",
        properties: Object.keys(patch).filter((key) => key !== "undoStatus"),
      };
    } else if (patch.undoStatus === "canceled") {
      notUpdated[given] = { type: "cannotUnsend", description: "The email was delivered at once" };
    } else if (patch.undoStatus === "final" || patch.undoStatus === undefined) updated[given] = null;
    else {
      notUpdated[given] = {
        type: "invalidProperties",
        description: "undoStatus",
        properties: ["undoStatus"],
      };
    }
  }

  const destroyed: string[] = [];
  const notDestroyed: Record<string, SetError> = {};
  for (const given of destroyIds) {
    const id = given.startsWith("#") ? (ctx.createdIds.get(given.slice(1)) ?? given) : given;
    if (await jmapObjects.destroy(ctx.account.id, SUBMISSION_TYPE, id)) destroyed.push(id);
    else notDestroyed[given] = { type: "notFound" };
  }

  // RFC 8621 §7.5: keys are "#creationId" of a submission created here, or the id of one updated or
  // destroyed here; the implicit Email/set runs only for those that succeeded.
  const emailFor = (key: string): string | undefined =>
    key.startsWith("#")
      ? emailOf.get(key)
      : Object.hasOwn(updated, key) || destroyed.includes(key)
        ? existing.get(key)?.emailId
        : undefined;
  const emailUpdate: Record<string, unknown> = {};
  for (const [key, patch] of Object.entries(onSuccessUpdate)) {
    const emailId = emailFor(key);
    if (emailId !== undefined) emailUpdate[emailId] = patch;
  }
  const emailDestroy = onSuccessDestroy.map(emailFor).filter((id): id is string => id !== undefined);
  if (Object.keys(emailUpdate).length > 0 || emailDestroy.length > 0) {
    const response = await emailSet(ctx, {
      accountId,
      ...(Object.keys(emailUpdate).length > 0 ? { update: emailUpdate } : {}),
      ...(emailDestroy.length > 0 ? { destroy: emailDestroy } : {}),
    });
    ctx.implicitResponses.push(["Email/set", response]);
  }
  const orNull = <T extends object>(value: T) => (Object.keys(value).length === 0 ? null : value);
  return {
    accountId,
    oldState,
    newState: await state(),
    created: orNull(created),
    updated: orNull(updated),
    destroyed: destroyed.length === 0 ? null : destroyed,
    notCreated: orNull(notCreated),
    notUpdated: orNull(notUpdated),
    notDestroyed: orNull(notDestroyed),
  };
}

function readMap(args: Args, name: string): Record<string, unknown> {
  const value = args[name];
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw new MethodError("invalidArguments", `"${name}" must be an object`);
  return value;
}

function readIdList(args: Args, name: string): string[] {
  const value = args[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((id) => typeof id === "string")) {
    throw new MethodError("invalidArguments", `"${name}" must be a list of ids`);
  }
  return value as string[];
}

// Identity/changes (RFC 8621 §6.2): from the identities' change counter (identity.ts). A derived
// identity (an address of the account) is never created or destroyed by a change of its settings, so
// it is always `updated`; when the account's addresses changed since the state, the answer is
// cannotCalculateChanges (fetch them again).
import { requireAccount } from "../account-check.js";
import { type Args, checkKnownArgs, readOptionalUnsigned, readRequiredString } from "../args.js";
import { IDENTITY_TYPE, listIdentities, parseIdentityState } from "../identity.js";
import type { JmapContext } from "../jmap-context.js";
import { MethodError } from "../jmap-error.js";

export async function identityChanges(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  checkKnownArgs(args, ["accountId", "sinceState", "maxChanges"]);
  const accountId = requireAccount(ctx, args);
  const sinceState = readRequiredString(args, "sinceState");
  const maxChanges = readOptionalUnsigned(args, "maxChanges");
  if (maxChanges === 0) throw new MethodError("invalidArguments", '"maxChanges" must be positive');
  const list = await listIdentities(ctx);
  const since = parseIdentityState(sinceState, list);
  const all = await ctx.services.store.jmapObjects.changesSince(ctx.account.id, IDENTITY_TYPE, since);
  const page = maxChanges === null ? all : all.slice(0, maxChanges);
  const created: string[] = [];
  const updated: string[] = [];
  const destroyed: string[] = [];
  for (const record of page) {
    const isDerived = record.id.startsWith("I");
    const isNew = !isDerived && record.createdModSeq > since;
    if (record.data === null) {
      if (!isNew) destroyed.push(record.id);
    } else if (isNew) created.push(record.id);
    else updated.push(record.id);
  }
  const last = page.at(-1);
  return {
    accountId,
    oldState: sinceState,
    newState: `o${last === undefined ? since : last.modSeq}-${list.addressDigest}`,
    hasMoreChanges: page.length < all.length,
    created,
    updated,
    destroyed,
  };
}

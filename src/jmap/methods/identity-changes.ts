// Identity/changes (RFC 8621 §6.2): from the identities' change counter (identity.ts). A derived
// identity (an address of the account) is created or destroyed only by an alias change, which the
// counter records (mail/address-changes.ts); a change of its settings makes it `updated`. When the
// addresses differ from the state's but the counter recorded no address since, the change was not
// recorded and the answer is cannotCalculateChanges (fetch them again).
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
  const { modSeq: since, hasSameAddresses } = parseIdentityState(sinceState, list);
  const all = await ctx.services.store.jmapObjects.changesSince(ctx.account.id, IDENTITY_TYPE, since);
  if (!hasSameAddresses && !all.some((record) => isDerived(record.id))) {
    throw new MethodError(
      "cannotCalculateChanges",
      "The account's addresses changed; fetch the identities again",
    );
  }
  const page = maxChanges === null ? all : all.slice(0, maxChanges);
  const created: string[] = [];
  const updated: string[] = [];
  const destroyed: string[] = [];
  for (const record of page) {
    // With the same addresses as at `since`, no derived identity is new (only its settings changed).
    const isNew = record.createdModSeq > since && (!isDerived(record.id) || !hasSameAddresses);
    if (record.data === null) {
      if (isDerived(record.id) || !isNew) destroyed.push(record.id);
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

function isDerived(id: string): boolean {
  return id.startsWith("I");
}

// /changes (RFC 8620 §5.2) for types kept in the store's jmap_objects (EmailSubmission, Identity
// settings): each change has its own modseq of the type's counter, so `created` is told from `updated`
// and maxChanges pages exactly (newState is the modseq of the last change in the page).
import { requireAccount } from "../account-check.js";
import { type Args, checkKnownArgs, readOptionalUnsigned, readRequiredString } from "../args.js";
import { formatObjectState, parseObjectState } from "../email-submission.js";
import type { JmapContext } from "../jmap-context.js";
import { MethodError } from "../jmap-error.js";

export async function objectChanges(
  ctx: JmapContext,
  args: Args,
  type: string,
): Promise<Record<string, unknown>> {
  checkKnownArgs(args, ["accountId", "sinceState", "maxChanges"]);
  const accountId = requireAccount(ctx, args);
  const sinceState = readRequiredString(args, "sinceState");
  const maxChanges = readOptionalUnsigned(args, "maxChanges");
  if (maxChanges === 0) throw new MethodError("invalidArguments", '"maxChanges" must be positive');
  const { jmapObjects } = ctx.services.store;
  const highest = await jmapObjects.highestModSeq(ctx.account.id, type);
  const since = parseObjectState(sinceState, highest);
  const all = await jmapObjects.changesSince(ctx.account.id, type, since);
  const page = maxChanges === null ? all : all.slice(0, maxChanges);
  const last = page.at(-1);
  const created: string[] = [];
  const updated: string[] = [];
  const destroyed: string[] = [];
  for (const record of page) {
    const isNew = record.createdModSeq > since;
    if (record.data === null) {
      if (!isNew) destroyed.push(record.id);
    } else if (isNew) created.push(record.id);
    else updated.push(record.id);
  }
  return {
    accountId,
    oldState: sinceState,
    newState: formatObjectState(last === undefined ? since : last.modSeq),
    hasMoreChanges: page.length < all.length,
    created,
    updated,
    destroyed,
  };
}

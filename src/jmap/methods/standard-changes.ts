// The shared part of /changes (RFC 8620 §5.2): the arguments, and the answer from the store's change log.
// The log keeps one counter for everything, so created and updated cannot be told apart: every id that
// changed is reported in `updated` (RFC 8620 §5.2 lets a client treat an unknown updated id as new).

import type { AccountChanges } from "../../store/mail-store.js";
import { requireAccount } from "../account-check.js";
import { type Args, checkKnownArgs, readOptionalUnsigned, readRequiredString } from "../args.js";
import type { JmapContext } from "../jmap-context.js";
import { MethodError } from "../jmap-error.js";
import { currentAccount, formatState, parseState } from "../state.js";

export interface ChangesAnswer {
  readonly accountId: string;
  readonly oldState: string;
  readonly newState: string;
  readonly changes: AccountChanges;
  readonly maxChanges: number | null;
}

export async function readChanges(ctx: JmapContext, args: Args): Promise<ChangesAnswer> {
  checkKnownArgs(args, ["accountId", "sinceState", "maxChanges"]);
  const accountId = requireAccount(ctx, args);
  const sinceState = readRequiredString(args, "sinceState");
  const maxChanges = readOptionalUnsigned(args, "maxChanges");
  if (maxChanges === 0) throw new MethodError("invalidArguments", '"maxChanges" must be positive');
  const account = await currentAccount(ctx);
  const since = parseState(sinceState, account.highestModSeq);
  const changes = await ctx.services.store.changes.accountChangesSince(ctx.account.id, since);
  return {
    accountId,
    oldState: sinceState,
    newState: formatState(changes.highestModSeq),
    changes,
    maxChanges,
  };
}

/** The /changes response for one type's changed and destroyed ids. */
export function changesResponse(
  answer: ChangesAnswer,
  changed: readonly string[],
  destroyed: readonly string[],
): Record<string, unknown> {
  // Without per-object modseqs no intermediate state exists to page with (RFC 8620 §5.2 allows this error).
  if (answer.maxChanges !== null && changed.length + destroyed.length > answer.maxChanges) {
    throw new MethodError(
      "cannotCalculateChanges",
      `More than ${answer.maxChanges} changes; fetch everything again`,
    );
  }
  return {
    accountId: answer.accountId,
    oldState: answer.oldState,
    newState: answer.newState,
    hasMoreChanges: false,
    created: [],
    updated: [...changed],
    destroyed: [...destroyed],
  };
}

// The shared part of /queryChanges (RFC 8620 §5.6). The server keeps no old query results, so it answers
// from the change log: every object changed since the old state that may have been in the old results is
// `removed` (RFC 8620 §5.6 allows extra removed ids), and every changed object in the current results is
// `added` again at its index, so a client that applies both holds the current results.

import type { ModSeq } from "../../kit/ids.js";
import type { AccountChanges } from "../../store/mail-store.js";
import { requireAccount } from "../account-check.js";
import {
  type Args,
  checkKnownArgs,
  readBoolean,
  readOptionalUnsigned,
  readRequiredString,
  readString,
} from "../args.js";
import type { JmapContext } from "../jmap-context.js";
import { MethodError } from "../jmap-error.js";
import { currentAccount, parseState } from "../state.js";
import { accountChangesFor } from "./standard-changes.js";

export interface QueryChangesRequest {
  readonly accountId: string;
  readonly sinceQueryState: string;
  readonly since: ModSeq;
  readonly maxChanges: number | null;
  readonly upToId: string | undefined;
  readonly calculateTotal: boolean;
}

export async function readQueryChanges(
  ctx: JmapContext,
  args: Args,
  queryArgs: readonly string[],
): Promise<QueryChangesRequest> {
  checkKnownArgs(args, [...queryArgs, "sinceQueryState", "maxChanges", "upToId", "calculateTotal"]);
  const accountId = requireAccount(ctx, args);
  const sinceQueryState = readRequiredString(args, "sinceQueryState");
  const maxChanges = readOptionalUnsigned(args, "maxChanges");
  if (maxChanges === 0) throw new MethodError("invalidArguments", '"maxChanges" must be positive');
  const upToId = readString(args, "upToId");
  const calculateTotal = readBoolean(args, "calculateTotal", false);
  const since = parseState(sinceQueryState, (await currentAccount(ctx)).highestModSeq);
  return { accountId, sinceQueryState, since, maxChanges, upToId, calculateTotal };
}

/** The changes since the request's state, read after the current results (so none is missed). */
export function readChangesSince(ctx: JmapContext, request: QueryChangesRequest): Promise<AccountChanges> {
  return accountChangesFor(ctx, request.since);
}

/**
 * The response from the current results and the ids that changed. `mayHaveBeenIn` is the subset of
 * `changed` that existed at the old state (only those can have been in the old results). With
 * `isImmutable` (filter and sort on properties that never change) and an `upToId` in the results,
 * additions past it are left out, as RFC 8620 §5.6 says they SHOULD be.
 */
export function queryChangesResponse(
  request: QueryChangesRequest,
  current: { readonly queryState: string; readonly ids: readonly string[] },
  changed: ReadonlySet<string>,
  mayHaveBeenIn: ReadonlySet<string>,
  isImmutable: boolean,
): Record<string, unknown> {
  let lastIndex = Number.POSITIVE_INFINITY;
  if (isImmutable && request.upToId !== undefined) {
    const index = current.ids.indexOf(request.upToId);
    if (index >= 0) lastIndex = index;
  }
  const added: { id: string; index: number }[] = [];
  for (let index = 0; index < current.ids.length && index <= lastIndex; index++) {
    const id = current.ids[index] as string;
    if (changed.has(id)) added.push({ id, index });
  }
  const removed = [...mayHaveBeenIn];
  if (request.maxChanges !== null && removed.length + added.length > request.maxChanges) {
    throw new MethodError("tooManyChanges", `More than ${request.maxChanges} changes`);
  }
  return {
    accountId: request.accountId,
    oldQueryState: request.sinceQueryState,
    newQueryState: current.queryState,
    ...(request.calculateTotal ? { total: current.ids.length } : {}),
    removed,
    added,
  };
}

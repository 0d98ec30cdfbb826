// The shared part of /changes (RFC 8620 §5.2): the arguments, and the answer from the store's change log.
// The log knows, per object, the modseq it was created at, its latest change and whether it is gone, so
// each id lands in `created`, `updated` or `destroyed` (an object both created and destroyed since the
// state is left out, as §5.2 says it SHOULD be). With `maxChanges`, the answer is a page up to an
// intermediate state; only changes that share one modseq (one IMAP command) cannot be split.

import type { ModSeq } from "../../kit/ids.js";
import type { AccountChanges, ObjectChange } from "../../store/mail-store.js";
import { requireAccount } from "../account-check.js";
import { loadAccountMail } from "../account-mail.js";
import { type Args, checkKnownArgs, readOptionalUnsigned, readRequiredString } from "../args.js";
import type { JmapContext } from "../jmap-context.js";
import { MethodError } from "../jmap-error.js";
import { currentAccount, formatState, parseState } from "../state.js";

export interface ChangesRequest {
  readonly accountId: string;
  readonly sinceState: string;
  readonly since: ModSeq;
  readonly maxChanges: number | null;
  readonly changes: AccountChanges;
}

export async function readChanges(ctx: JmapContext, args: Args): Promise<ChangesRequest> {
  checkKnownArgs(args, ["accountId", "sinceState", "maxChanges"]);
  const accountId = requireAccount(ctx, args);
  const sinceState = readRequiredString(args, "sinceState");
  const maxChanges = readOptionalUnsigned(args, "maxChanges");
  if (maxChanges === 0) throw new MethodError("invalidArguments", '"maxChanges" must be positive');
  const account = await currentAccount(ctx);
  const since = parseState(sinceState, account.highestModSeq);
  const changes = await accountChangesFor(ctx, since);
  return { accountId, sinceState, since, maxChanges, changes };
}

/**
 * The account's changes since a modseq as the user sees them. In a shared account, a mailbox or email the
 * user cannot see (any more) counts as destroyed, so they learn when one leaves their view; what they
 * never saw shows at most as an unknown destroyed id, which RFC 8620 §5.2 lets a client ignore.
 */
export async function accountChangesFor(ctx: JmapContext, since: ModSeq): Promise<AccountChanges> {
  const changes = await ctx.services.store.changes.accountChangesSince(ctx.account.id, since);
  const { shared } = ctx;
  if (shared === undefined) return changes;
  const mail = await loadAccountMail(ctx);
  return {
    highestModSeq: changes.highestModSeq,
    mailboxes: changes.mailboxes.map((m) => (shared.rights.has(m.id) ? m : { ...m, isDestroyed: true })),
    emails: changes.emails.map((e) => (mail.entriesByEmail.has(e.id) ? e : { ...e, isDestroyed: true })),
  };
}

/**
 * In a shared account, a change of a mailbox itself (its rights among them) can show or hide emails that
 * did not change: their changes cannot be told from the log, so the client must fetch again.
 */
export function requireEmailChangesKnown(ctx: JmapContext, changes: AccountChanges, since: ModSeq): void {
  if (ctx.shared === undefined) return;
  if (changes.mailboxes.some((m) => m.propertiesModSeq > since)) {
    throw new MethodError(
      "cannotCalculateChanges",
      "A shared mailbox changed (its rights may have); fetch its emails again",
    );
  }
}

/** One page of changes of one type: the ids in each list and the state the page leads to. */
export interface ChangesPage<Id extends string> {
  readonly upTo: ModSeq;
  readonly hasMoreChanges: boolean;
  readonly created: Id[];
  readonly updated: Id[];
  readonly destroyed: Id[];
}

/** Where an object goes in a page ending at `upTo`, or null when it is not in it. */
function placeOf(
  object: ObjectChange<string>,
  since: ModSeq,
  upTo: number,
): "created" | "updated" | "destroyed" | null {
  if (object.createdModSeq > since) {
    if (object.createdModSeq > upTo) return null;
    // Created and destroyed within the page: the client never needs to hear of it.
    if (object.isDestroyed && object.lastModSeq <= upTo) return null;
    return "created";
  }
  if (object.lastModSeq > upTo) return null;
  return object.isDestroyed ? "destroyed" : "updated";
}

/**
 * Sorts changed objects into created/updated/destroyed (RFC 8620 §5.2). Without a limit, or when all fit,
 * the page reaches `highest`; else it ends at the latest modseq up to which at most `maxChanges` ids are
 * reported. An object created before `upTo` but changed again after it is reported as created in this
 * page and as updated in the next, so a client that follows every page ends up current.
 */
export function pageChanges<Id extends string>(
  objects: readonly ObjectChange<Id>[],
  since: ModSeq,
  highest: ModSeq,
  maxChanges: number | null,
): ChangesPage<Id> {
  let upTo: number = highest;
  if (maxChanges !== null && countAt(objects, since, highest) > maxChanges) {
    upTo = latestPageEnd(objects, since, highest, maxChanges);
  }
  const page: ChangesPage<Id> = {
    upTo: upTo as ModSeq,
    hasMoreChanges: upTo < highest,
    created: [],
    updated: [],
    destroyed: [],
  };
  for (const object of objects) {
    const place = placeOf(object, since, upTo);
    if (place !== null) page[place].push(object.id);
  }
  return page;
}

function countAt(objects: readonly ObjectChange<string>[], since: ModSeq, upTo: number): number {
  let count = 0;
  for (const object of objects) if (placeOf(object, since, upTo) !== null) count++;
  return count;
}

/**
 * The largest modseq below `highest` whose page holds at most `maxChanges` ids. A page's size changes
 * only at the modseqs where some object enters it (its creation, or its last change) or leaves it (the
 * destruction of one created in range), so those points are enough to try.
 */
function latestPageEnd(
  objects: readonly ObjectChange<string>[],
  since: ModSeq,
  highest: ModSeq,
  maxChanges: number,
): number {
  const delta = new Map<number, number>();
  const add = (at: number, by: number) => delta.set(at, (delta.get(at) ?? 0) + by);
  for (const object of objects) {
    if (object.createdModSeq > since) {
      add(object.createdModSeq, 1);
      if (object.isDestroyed) add(object.lastModSeq, -1);
    } else {
      add(object.lastModSeq, 1);
    }
  }
  const points = [...delta.keys()].sort((a, b) => a - b);
  let count = 0;
  let best = since as number;
  for (let i = 0; i < points.length; i++) {
    count += delta.get(points[i] as number) ?? 0;
    const end = Math.min((points[i + 1] ?? highest + 1) - 1, highest - 1);
    if (count <= maxChanges && end > best) best = end;
  }
  if (best <= since) {
    throw new MethodError(
      "cannotCalculateChanges",
      `More than ${maxChanges} changes in one step (one modseq); ask again with a larger maxChanges`,
    );
  }
  return best;
}

/** The /changes response of one type. */
export function changesResponse(request: ChangesRequest, page: ChangesPage<string>): Record<string, unknown> {
  return {
    accountId: request.accountId,
    oldState: request.sinceState,
    newState: formatState(page.upTo),
    hasMoreChanges: page.hasMoreChanges,
    created: page.created,
    updated: page.updated,
    destroyed: page.destroyed,
  };
}

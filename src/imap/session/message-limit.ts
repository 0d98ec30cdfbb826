// RFC 9738 MESSAGELIMIT and SAVELIMIT: the most messages one command handles ([imap] message_limit).
// A command by message number over more is refused with NO [LIMIT] before it changes anything; a UID
// command handles the messages with the lowest UIDs up to the limit and completes with OK [LIMIT], so
// the client continues from the next UID. SEARCH RETURN (SAVE) keeps at most that many UIDs as `$`.
import type { MailboxEntry } from "../../store/mail-store.js";
import type { SearchKey } from "../wire/search-key.js";
import type { CommandContext, CommandOutcome } from "./command-context.js";
import { no } from "./command-context.js";
import type { SelectedMailbox } from "./selected-mailbox.js";

/** The messages a command may handle, and whether some were left out because of the limit. */
export interface LimitedMessages<T> {
  readonly entries: readonly T[];
  readonly isLimited: boolean;
}

/** The configured limit, or null when there is none (0 in the configuration). */
export function messageLimitOf(ctx: CommandContext): number | null {
  const limit = ctx.services.messageLimit;
  return limit > 0 ? limit : null;
}

/** The refusal of a command by message number (or an APPEND) over the limit. */
export function overLimit(verb: string, limit: number): CommandOutcome {
  return no(`${verb} exceeds the limit of ${limit} messages; use UID ${verb} in smaller ranges`, {
    kind: "LIMIT",
  });
}

/**
 * Applies the limit to the messages (ascending UID order) a FETCH, STORE, COPY, MOVE or UID EXPUNGE
 * resolved: a refusal when by message number, else the lowest UIDs up to the limit.
 */
export function limitMessages<T>(
  ctx: CommandContext,
  entries: readonly T[],
  isUid: boolean,
  verb: string,
): LimitedMessages<T> | CommandOutcome {
  const limit = messageLimitOf(ctx);
  if (limit === null || entries.length <= limit) return { entries, isLimited: false };
  if (!isUid) return overLimit(verb, limit);
  return { entries: entries.slice(0, limit), isLimited: true };
}

export function isOutcome<T>(value: LimitedMessages<T> | CommandOutcome): value is CommandOutcome {
  return "status" in value;
}

/**
 * The tagged reply of a command that left messages out (`handled` of them done; null for SEARCH): OK [LIMIT], or, when the reply already carries
 * another code (COPYUID, MODIFIED, HIGHESTMODSEQ), that reply after an untagged OK [LIMIT].
 */
export async function completeLimited(
  ctx: CommandContext,
  outcome: CommandOutcome,
  isLimited: boolean,
  handled: number | null,
): Promise<CommandOutcome> {
  if (!isLimited || outcome.status !== "OK") return outcome;
  const text =
    handled === null
      ? "Only the messages with the lowest UIDs up to the limit were searched (MESSAGELIMIT)"
      : `Only the ${handled} messages with the lowest UIDs were processed (MESSAGELIMIT)`;
  if (outcome.code === null || outcome.code === undefined) {
    return { ...outcome, code: { kind: "LIMIT" }, text };
  }
  await ctx.send({ kind: "condition", status: "OK", code: { kind: "LIMIT" }, text });
  return outcome;
}

/**
 * What SEARCH may look at: the messages its top-level sequence-set and UID keys allow (all of them
 * without such keys). Over the limit, SEARCH is refused and UID SEARCH gets an extra key that keeps it
 * to the lowest UIDs up to the limit.
 */
export function limitSearch(
  ctx: CommandContext,
  selected: SelectedMailbox,
  criteria: readonly SearchKey[],
  isUid: boolean,
): { readonly extraKey: SearchKey | null } | CommandOutcome {
  const limit = messageLimitOf(ctx);
  if (limit === null || selected.view.entries.length <= limit) return { extraKey: null };
  let candidates: readonly MailboxEntry[] = selected.view.entries;
  for (const key of criteria) {
    if (key.kind !== "uid" && key.kind !== "sequenceSet") continue;
    const allowed = new Set(selected.resolve(key.set, key.kind === "uid").map((e) => e.uid));
    candidates = candidates.filter((e) => allowed.has(e.uid));
  }
  if (candidates.length <= limit) return { extraKey: null };
  if (!isUid) return overLimit("SEARCH", limit);
  const last = candidates[limit - 1] as MailboxEntry;
  return { extraKey: { kind: "uid", set: { kind: "ranges", ranges: [{ from: 1, to: last.uid }] } } };
}

/** RFC 9738 SAVELIMIT: the UIDs SEARCH RETURN (SAVE) may keep (the lowest), and whether some were dropped. */
export function limitSaved<T>(ctx: CommandContext, saved: readonly T[]): LimitedMessages<T> {
  const limit = ctx.services.saveLimit;
  if (limit === 0 || saved.length <= limit) return { entries: saved, isLimited: false };
  return { entries: saved.slice(0, limit), isLimited: true };
}

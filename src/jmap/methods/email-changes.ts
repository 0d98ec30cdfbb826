// Email/changes (RFC 8621 §4.3): emails added, re-flagged, moved or destroyed since a state.
import type { Args } from "../args.js";
import type { JmapContext } from "../jmap-context.js";
import { changesResponse, readChanges } from "./standard-changes.js";

export async function emailChanges(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  const answer = await readChanges(ctx, args);
  return changesResponse(answer, answer.changes.changedEmailIds, answer.changes.destroyedEmailIds);
}

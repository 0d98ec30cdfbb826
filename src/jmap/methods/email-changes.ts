// Email/changes (RFC 8621 §4.3): emails added, re-flagged, moved or destroyed since a state.
import type { Args } from "../args.js";
import type { JmapContext } from "../jmap-context.js";
import { changesResponse, pageChanges, readChanges, requireEmailChangesKnown } from "./standard-changes.js";

export async function emailChanges(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  const request = await readChanges(ctx, args);
  const { changes } = request;
  requireEmailChangesKnown(ctx, changes, request.since);
  const page = pageChanges(changes.emails, request.since, changes.highestModSeq, request.maxChanges);
  return changesResponse(request, page);
}

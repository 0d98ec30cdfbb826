// Email/queryChanges (RFC 8621 §4.5, RFC 8620 §5.6): how the results of an Email/query changed since its
// queryState, from the change log (standard-query-changes.ts). With collapseThreads, a change of one email
// can change which email stands for its thread, so every email of a changed thread counts as changed.
import type { Args } from "../args.js";
import type { JmapContext } from "../jmap-context.js";
import { MethodError } from "../jmap-error.js";
import { QUERY_ARGS, runEmailQuery } from "./email-query.js";
import { requireEmailChangesKnown } from "./standard-changes.js";
import { queryChangesResponse, readChangesSince, readQueryChanges } from "./standard-query-changes.js";

export async function emailQueryChanges(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  const request = await readQueryChanges(ctx, args, QUERY_ARGS);
  const current = await runEmailQuery(ctx, args);
  const changes = await readChangesSince(ctx, request);
  requireEmailChangesKnown(ctx, changes, request.since);
  const createdAt = new Map<string, number>(changes.emails.map((e) => [e.id, e.createdModSeq]));
  const changed = new Set<string>();
  const mayHaveBeenIn = new Set<string>();
  // Only what existed at the old state can have been in the old results.
  const note = (id: string) => {
    changed.add(id);
    if ((createdAt.get(id) ?? 0) <= request.since) mayHaveBeenIn.add(id);
  };
  for (const email of changes.emails) {
    note(email.id);
    if (!current.collapseThreads) continue;
    if (email.threadId === null) {
      throw new MethodError("cannotCalculateChanges", "An email destroyed long ago has no thread on record");
    }
    for (const id of current.mail.emailsByThread.get(email.threadId) ?? []) note(id);
  }
  return queryChangesResponse(request, current, changed, mayHaveBeenIn, current.isImmutable);
}

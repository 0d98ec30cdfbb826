// Mailbox/queryChanges (RFC 8621 §2.4, RFC 8620 §5.6): how the results of a Mailbox/query changed since its
// queryState (standard-query-changes.ts). A mailbox's parent is found by name, so creating or deleting one
// can change another's parentId: then every mailbox counts as changed (lists of mailboxes are short).
import type { Args } from "../args.js";
import type { JmapContext } from "../jmap-context.js";
import { MAILBOX_QUERY_ARGS, runMailboxQuery } from "./mailbox-query.js";
import { queryChangesResponse, readChangesSince, readQueryChanges } from "./standard-query-changes.js";

export async function mailboxQueryChanges(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  const request = await readQueryChanges(ctx, args, MAILBOX_QUERY_ARGS);
  const current = await runMailboxQuery(ctx, args);
  const changes = await readChangesSince(ctx, request);
  const createdAt = new Map<string, number>(changes.mailboxes.map((m) => [m.id, m.createdModSeq]));
  const changed = new Set<string>();
  const mayHaveBeenIn = new Set<string>();
  const note = (id: string) => {
    changed.add(id);
    if ((createdAt.get(id) ?? 0) <= request.since) mayHaveBeenIn.add(id);
  };
  for (const mailbox of changes.mailboxes) note(mailbox.id);
  if (changes.mailboxes.some((m) => m.isDestroyed || m.createdModSeq > request.since)) {
    for (const id of current.ids) note(id);
  }
  return queryChangesResponse(request, current, changed, mayHaveBeenIn, false);
}

// Mailbox/changes (RFC 8621 §2.2): mailboxes created, renamed, recounted or destroyed since a state.
import type { Args } from "../args.js";
import type { JmapContext } from "../jmap-context.js";
import { changesResponse, readChanges } from "./standard-changes.js";

export async function mailboxChanges(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  const answer = await readChanges(ctx, args);
  const response = changesResponse(
    answer,
    answer.changes.changedMailboxIds,
    answer.changes.destroyedMailboxIds,
  );
  // Counts change with every entry change, so only count properties may have changed is unknown: null.
  return { ...response, updatedProperties: null };
}

// Mailbox/changes (RFC 8621 §2.2): mailboxes created, renamed, recounted or destroyed since a state.
import type { Args } from "../args.js";
import type { JmapContext } from "../jmap-context.js";
import { changesResponse, pageChanges, readChanges } from "./standard-changes.js";

/** What an entry change can alter in a mailbox (RFC 8621 §2.2 updatedProperties). */
const COUNT_PROPERTIES = ["totalEmails", "unreadEmails", "totalThreads", "unreadThreads"] as const;

export async function mailboxChanges(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  const request = await readChanges(ctx, args);
  const { changes, since } = request;
  const page = pageChanges(changes.mailboxes, since, changes.highestModSeq, request.maxChanges);
  // The mailbox's own modseq moves only with its properties (name, role, subscription, rights); when no
  // updated mailbox's did, only its entries changed, so only the counts may differ.
  const updated = new Set<string>(page.updated);
  const onlyCounts =
    updated.size > 0 && changes.mailboxes.every((m) => !updated.has(m.id) || m.propertiesModSeq <= since);
  return { ...changesResponse(request, page), updatedProperties: onlyCounts ? COUNT_PROPERTIES : null };
}

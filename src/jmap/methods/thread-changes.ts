// Thread/changes (RFC 8621 §3.2): threads whose emails were added, changed or destroyed since a state. A
// thread's changes are its emails': it was created in the range when none of its emails existed before
// it, and is destroyed when it has no email left.
import type { ModSeq, ThreadId } from "../../kit/ids.js";
import type { ObjectChange } from "../../store/mail-store.js";
import { loadAccountMail } from "../account-mail.js";
import type { Args } from "../args.js";
import type { JmapContext } from "../jmap-context.js";
import { MethodError } from "../jmap-error.js";
import { changesResponse, pageChanges, readChanges, requireEmailChangesKnown } from "./standard-changes.js";

export async function threadChanges(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  const request = await readChanges(ctx, args);
  const { changes } = request;
  requireEmailChangesKnown(ctx, changes, request.since);
  const mail = await loadAccountMail(ctx);
  const threads = new Map<ThreadId, { created: number; last: number; changedEmails: Set<string> }>();
  for (const email of changes.emails) {
    if (email.threadId === null) {
      throw new MethodError("cannotCalculateChanges", "An email destroyed long ago has no thread on record");
    }
    const thread = threads.get(email.threadId);
    if (thread === undefined) {
      threads.set(email.threadId, {
        created: email.createdModSeq,
        last: email.lastModSeq,
        changedEmails: new Set([email.id]),
      });
    } else {
      thread.created = Math.min(thread.created, email.createdModSeq);
      thread.last = Math.max(thread.last, email.lastModSeq);
      thread.changedEmails.add(email.id);
    }
  }
  const objects: ObjectChange<ThreadId>[] = [];
  for (const [id, thread] of threads) {
    const live = mail.emailsByThread.get(id) ?? [];
    // An email of the thread that did not change since the state existed before it, and so did the thread.
    const isOlder = live.some((emailId) => !thread.changedEmails.has(emailId));
    objects.push({
      id,
      createdModSeq: (isOlder ? 0 : thread.created) as ModSeq,
      lastModSeq: thread.last as ModSeq,
      isDestroyed: live.length === 0,
    });
  }
  const page = pageChanges(objects, request.since, changes.highestModSeq, request.maxChanges);
  return changesResponse(request, page);
}

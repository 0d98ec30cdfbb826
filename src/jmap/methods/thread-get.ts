// Thread/get (RFC 8621 §3.1): the emails of each thread, oldest first.

import type { ThreadId } from "../../kit/ids.js";
import { coldAccountMailboxes, loadAccountMail, scheduleAccountMailBuild } from "../account-mail.js";
import { threadEmailsCold } from "../account-mail-cold.js";
import type { Args } from "../args.js";
import type { JmapContext } from "../jmap-context.js";
import { MethodError } from "../jmap-error.js";
import { readGetRequest } from "../standard-get.js";
import { currentAccount, formatState } from "../state.js";

const KNOWN = new Set(["id", "emailIds"]);

export async function threadGet(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  const request = readGetRequest(ctx, args, KNOWN, ["id", "emailIds"]);
  if (request.ids === null) throw new MethodError("requestTooLarge", "Thread/get needs a list of ids");
  const state = formatState((await currentAccount(ctx)).highestModSeq);
  // Right after a server start the store lists the threads (account-mail-cold.ts).
  const cold = await coldAccountMailboxes(ctx);
  const threads =
    cold === null
      ? (await loadAccountMail(ctx)).emailsByThread
      : await threadEmailsCold(ctx, cold, request.ids as ThreadId[]);
  if (cold !== null) scheduleAccountMailBuild(ctx);
  const list: Record<string, unknown>[] = [];
  const notFound: string[] = [];
  for (const id of request.ids) {
    const emailIds = threads.get(id as ThreadId);
    if (emailIds === undefined) notFound.push(id);
    else list.push(request.properties.includes("emailIds") ? { id, emailIds } : { id });
  }
  return { accountId: request.accountId, state, list, notFound };
}

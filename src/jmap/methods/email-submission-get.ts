// EmailSubmission/get (RFC 8621 §7.1): the account's stored submissions.
import type { Args } from "../args.js";
import { listSubmissions, SUBMISSION_PROPERTIES, submissionState } from "../email-submission.js";
import type { JmapContext } from "../jmap-context.js";
import { pick, readGetRequest } from "../standard-get.js";

const KNOWN = new Set<string>(SUBMISSION_PROPERTIES);

export async function emailSubmissionGet(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  const request = readGetRequest(ctx, args, KNOWN, SUBMISSION_PROPERTIES);
  const state = await submissionState(ctx);
  const byId = new Map((await listSubmissions(ctx)).map((s) => [s.id, s]));
  const ids = request.ids ?? [...byId.keys()];
  const list: Record<string, unknown>[] = [];
  const notFound: string[] = [];
  for (const id of ids) {
    const submission = byId.get(id);
    if (submission === undefined) notFound.push(id);
    else list.push(pick({ ...submission }, request.properties));
  }
  return { accountId: request.accountId, state, list, notFound };
}

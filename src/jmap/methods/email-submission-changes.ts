// EmailSubmission/changes (RFC 8621 §7.2): from the submissions' own change counter.
import type { Args } from "../args.js";
import { SUBMISSION_TYPE } from "../email-submission.js";
import type { JmapContext } from "../jmap-context.js";
import { objectChanges } from "./object-changes.js";

export function emailSubmissionChanges(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  return objectChanges(ctx, args, SUBMISSION_TYPE);
}

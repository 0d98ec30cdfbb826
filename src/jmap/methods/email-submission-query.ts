// EmailSubmission/query (RFC 8621 §7.3): filter identityIds, emailIds, threadIds, undoStatus, before,
// after (sendAt) with AND/OR/NOT; sort emailId, threadId, sentAt (the submission's sendAt); position,
// anchor/anchorOffset, limit, calculateTotal.
import { requireAccount } from "../account-check.js";
import {
  type Args,
  checkKnownArgs,
  isPlainObject,
  readBoolean,
  readInt,
  readOptionalUnsigned,
  readString,
} from "../args.js";
import { type EmailSubmissionObject, listSubmissions, submissionState } from "../email-submission.js";
import type { JmapContext } from "../jmap-context.js";
import { MethodError } from "../jmap-error.js";
import { isUtcDate } from "../vacation-response.js";

type Submission = EmailSubmissionObject;

export async function emailSubmissionQuery(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  checkKnownArgs(args, [
    "accountId",
    "filter",
    "sort",
    "position",
    "anchor",
    "anchorOffset",
    "limit",
    "calculateTotal",
  ]);
  const accountId = requireAccount(ctx, args);
  const position = readInt(args, "position", 0, Number.MIN_SAFE_INTEGER);
  const anchor = readString(args, "anchor");
  const anchorOffset = readInt(args, "anchorOffset", 0, Number.MIN_SAFE_INTEGER);
  const limit = readOptionalUnsigned(args, "limit");
  const calculateTotal = readBoolean(args, "calculateTotal", false);
  const matches = submissionFilter(args.filter);
  const order = submissionOrder(args.sort);
  const queryState = await submissionState(ctx);
  const ids = (await listSubmissions(ctx))
    .filter(matches)
    .sort(order)
    .map((s) => s.id);
  let start: number;
  if (anchor !== undefined) {
    const index = ids.indexOf(anchor);
    if (index < 0) throw new MethodError("anchorNotFound", "The anchor is not in the results");
    start = Math.max(0, index + anchorOffset);
  } else start = position < 0 ? Math.max(0, ids.length + position) : Math.min(position, ids.length);
  return {
    accountId,
    queryState,
    canCalculateChanges: false,
    position: start,
    ids: ids.slice(start, limit === null ? undefined : start + limit),
    ...(calculateTotal ? { total: ids.length } : {}),
  };
}

function submissionFilter(filter: unknown): (s: Submission) => boolean {
  if (filter === undefined || filter === null) return () => true;
  if (!isPlainObject(filter)) throw new MethodError("unsupportedFilter", "A filter must be an object");
  if ("operator" in filter) {
    const { operator, conditions } = filter;
    if (!Array.isArray(conditions) || !["AND", "OR", "NOT"].includes(operator as string)) {
      throw new MethodError("unsupportedFilter", "A FilterOperator has an operator and conditions");
    }
    const tests = conditions.map(submissionFilter);
    if (operator === "AND") return (s) => tests.every((t) => t(s));
    if (operator === "OR") return (s) => tests.some((t) => t(s));
    return (s) => !tests.some((t) => t(s));
  }
  const tests: ((s: Submission) => boolean)[] = [];
  const idList = (value: unknown, name: string): Set<string> => {
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
      throw new MethodError("unsupportedFilter", `"${name}" must be a list of ids`);
    }
    return new Set(value as string[]);
  };
  for (const [name, value] of Object.entries(filter)) {
    if (name === "identityIds") {
      const set = idList(value, name);
      tests.push((s) => set.has(s.identityId));
    } else if (name === "emailIds") {
      const set = idList(value, name);
      tests.push((s) => set.has(s.emailId));
    } else if (name === "threadIds") {
      const set = idList(value, name);
      tests.push((s) => set.has(s.threadId));
    } else if (name === "undoStatus" && typeof value === "string") tests.push((s) => s.undoStatus === value);
    else if ((name === "before" || name === "after") && isUtcDate(value)) {
      const ms = Date.parse(value);
      tests.push(name === "before" ? (s) => Date.parse(s.sendAt) < ms : (s) => Date.parse(s.sendAt) >= ms);
    } else throw new MethodError("unsupportedFilter", `The filter property "${name}" is not supported`);
  }
  return (s) => tests.every((t) => t(s));
}

const SORT_KEYS: Readonly<Record<string, (s: Submission) => string>> = {
  emailId: (s) => s.emailId,
  threadId: (s) => s.threadId,
  sentAt: (s) => s.sendAt,
};

function submissionOrder(sort: unknown): (a: Submission, b: Submission) => number {
  const list = sort === undefined || sort === null ? [{ property: "sentAt" }] : sort;
  if (!Array.isArray(list)) throw new MethodError("invalidArguments", '"sort" must be a list');
  const keys = list.map((c) => {
    const key = isPlainObject(c) && typeof c.property === "string" ? SORT_KEYS[c.property] : undefined;
    if (key === undefined)
      throw new MethodError("unsupportedSort", "Submissions sort by emailId, threadId or sentAt");
    return { key, sign: (c as Record<string, unknown>).isAscending === false ? -1 : 1 };
  });
  return (a, b) => {
    for (const { key, sign } of keys) {
      const x = key(a);
      const y = key(b);
      if (x !== y) return (x < y ? -1 : 1) * sign;
    }
    return a.id < b.id ? -1 : 1;
  };
}

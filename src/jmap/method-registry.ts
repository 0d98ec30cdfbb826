// Every JMAP method this server answers, with the capability a request must `use` to call it. Typed with
// `satisfies`, so a name in METHOD_NAMES without a handler does not compile.
import type { Args } from "./args.js";
import {
  CORE_CAPABILITY,
  MAIL_CAPABILITY,
  SUBMISSION_CAPABILITY,
  VACATION_CAPABILITY,
} from "./capabilities.js";
import type { JmapContext } from "./jmap-context.js";
import { blobCopy } from "./methods/blob-copy.js";
import { coreEcho } from "./methods/core-echo.js";
import { emailChanges } from "./methods/email-changes.js";
import { emailCopy } from "./methods/email-copy.js";
import { emailGet } from "./methods/email-get.js";
import { emailImport } from "./methods/email-import.js";
import { emailParse } from "./methods/email-parse.js";
import { emailQuery } from "./methods/email-query.js";
import { emailQueryChanges } from "./methods/email-query-changes.js";
import { emailSet } from "./methods/email-set.js";
import { emailSubmissionChanges } from "./methods/email-submission-changes.js";
import { emailSubmissionGet } from "./methods/email-submission-get.js";
import { emailSubmissionQuery } from "./methods/email-submission-query.js";
import { emailSubmissionSet } from "./methods/email-submission-set.js";
import { identityChanges } from "./methods/identity-changes.js";
import { identityGet } from "./methods/identity-get.js";
import { identitySet } from "./methods/identity-set.js";
import { mailboxChanges } from "./methods/mailbox-changes.js";
import { mailboxGet } from "./methods/mailbox-get.js";
import { mailboxQuery } from "./methods/mailbox-query.js";
import { mailboxQueryChanges } from "./methods/mailbox-query-changes.js";
import { mailboxSet } from "./methods/mailbox-set.js";
import { searchSnippetGet } from "./methods/search-snippet-get.js";
import { threadChanges } from "./methods/thread-changes.js";
import { threadGet } from "./methods/thread-get.js";
import { vacationResponseGet } from "./methods/vacation-response-get.js";
import { vacationResponseSet } from "./methods/vacation-response-set.js";

export const METHOD_NAMES = [
  "Core/echo",
  "Blob/copy",
  "Mailbox/get",
  "Mailbox/changes",
  "Mailbox/query",
  "Mailbox/queryChanges",
  "Mailbox/set",
  "Thread/get",
  "Thread/changes",
  "Email/get",
  "Email/changes",
  "Email/query",
  "Email/queryChanges",
  "Email/set",
  "Email/copy",
  "SearchSnippet/get",
  "Email/import",
  "Email/parse",
  "Identity/get",
  "Identity/changes",
  "Identity/set",
  "EmailSubmission/get",
  "EmailSubmission/changes",
  "EmailSubmission/query",
  "EmailSubmission/set",
  "VacationResponse/get",
  "VacationResponse/set",
] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

export interface MethodSpec {
  readonly capability: string;
  run(ctx: JmapContext, args: Args): Promise<Record<string, unknown>>;
}

const mail = (run: MethodSpec["run"]): MethodSpec => ({ capability: MAIL_CAPABILITY, run });
const submission = (run: MethodSpec["run"]): MethodSpec => ({ capability: SUBMISSION_CAPABILITY, run });

export const METHODS = {
  "Core/echo": { capability: CORE_CAPABILITY, run: coreEcho },
  "Blob/copy": { capability: CORE_CAPABILITY, run: blobCopy },
  "Mailbox/get": mail(mailboxGet),
  "Mailbox/changes": mail(mailboxChanges),
  "Mailbox/query": mail(mailboxQuery),
  "Mailbox/queryChanges": mail(mailboxQueryChanges),
  "Mailbox/set": mail(mailboxSet),
  "Thread/get": mail(threadGet),
  "Thread/changes": mail(threadChanges),
  "Email/get": mail(emailGet),
  "Email/changes": mail(emailChanges),
  "Email/query": mail(emailQuery),
  "Email/queryChanges": mail(emailQueryChanges),
  "Email/set": mail(emailSet),
  "Email/copy": mail(emailCopy),
  "SearchSnippet/get": mail(searchSnippetGet),
  "Email/import": mail(emailImport),
  "Email/parse": mail(emailParse),
  "Identity/get": submission(identityGet),
  "Identity/changes": submission(identityChanges),
  "Identity/set": submission(identitySet),
  "EmailSubmission/get": submission(emailSubmissionGet),
  "EmailSubmission/changes": submission(emailSubmissionChanges),
  "EmailSubmission/query": submission(emailSubmissionQuery),
  "EmailSubmission/set": submission(emailSubmissionSet),
  "VacationResponse/get": { capability: VACATION_CAPABILITY, run: vacationResponseGet },
  "VacationResponse/set": { capability: VACATION_CAPABILITY, run: vacationResponseSet },
} satisfies Record<MethodName, MethodSpec>;

const NAMES: ReadonlySet<string> = new Set(METHOD_NAMES);

export function findMethod(name: string): MethodSpec | undefined {
  return NAMES.has(name) ? METHODS[name as MethodName] : undefined;
}

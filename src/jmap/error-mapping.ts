// The one place MailError codes become JMAP errors (ARCHITECTURE.md "Key shapes"): a method-level error
// when a whole call fails, a SetError when one object of a /set fails. Total over MailErrorCode.
import type { MailErrorCode } from "../kit/mail-error.js";
import type { MethodErrorType, SetErrorType } from "./jmap-error.js";

/** The method error for a call that failed with this code. */
export const METHOD_ERROR_OF: Readonly<Record<MailErrorCode, MethodErrorType>> = {
  nonexistent: "invalidArguments",
  alreadyExists: "invalidArguments",
  invalidName: "invalidArguments",
  hasChildren: "forbidden",
  cannot: "forbidden",
  overQuota: "forbidden",
  tooBig: "requestTooLarge",
  invalidInput: "invalidArguments",
  authFailed: "forbidden",
  noPerm: "forbidden",
  inUse: "serverUnavailable",
  limit: "requestTooLarge",
  unavailable: "serverUnavailable",
  noSpace: "serverUnavailable",
  corrupted: "serverFail",
  serverBug: "serverFail",
};

/** The SetError for one object whose create, update or destroy failed with this code. */
export const SET_ERROR_OF: Readonly<Record<MailErrorCode, SetErrorType>> = {
  nonexistent: "notFound",
  alreadyExists: "alreadyExists",
  invalidName: "invalidProperties",
  hasChildren: "mailboxHasChild",
  cannot: "forbidden",
  overQuota: "overQuota",
  tooBig: "tooLarge",
  invalidInput: "invalidProperties",
  authFailed: "forbidden",
  noPerm: "forbidden",
  inUse: "rateLimit",
  limit: "rateLimit",
  unavailable: "serverFail",
  noSpace: "overQuota",
  corrupted: "serverFail",
  serverBug: "serverFail",
};

// JMAP errors (RFC 8620 §3.6): request-level problems, answered as RFC 7807 problem details with an HTTP
// status, and method-level errors, answered as an ["error", {type}, callId] invocation.

/** RFC 8620 §3.6.1 request-level error types (and §2 auth-less ones the HTTP layer adds). */
export type RequestProblemType = "unknownCapability" | "notJSON" | "notRequest" | "limit";

export const PROBLEM_PREFIX = "urn:ietf:params:jmap:error:";

/** A whole request refused before any method ran. */
export class RequestProblem extends Error {
  override readonly name = "RequestProblem";
  constructor(
    readonly type: RequestProblemType,
    readonly status: number,
    readonly detail: string,
    /** For `limit`: the name of the capability limit that was passed (maxCallsInRequest…). */
    readonly limit?: string,
  ) {
    super(detail);
  }

  /** The RFC 7807 body. */
  toJSON(): Record<string, unknown> {
    return {
      type: PROBLEM_PREFIX + this.type,
      status: this.status,
      detail: this.detail,
      ...(this.limit === undefined ? {} : { limit: this.limit }),
    };
  }
}

/** RFC 8620 §3.6.2 method-level error types, and the method-specific ones of RFC 8620 §5 and RFC 8621. */
export type MethodErrorType =
  | "serverUnavailable"
  | "serverFail"
  | "serverPartialFail"
  | "unknownMethod"
  | "invalidArguments"
  | "invalidResultReference"
  | "forbidden"
  | "accountNotFound"
  | "accountNotSupportedByMethod"
  | "fromAccountNotFound"
  | "fromAccountNotSupportedByMethod"
  | "accountReadOnly"
  | "requestTooLarge"
  | "cannotCalculateChanges"
  | "stateMismatch"
  | "anchorNotFound"
  | "unsupportedSort"
  | "unsupportedFilter"
  | "tooManyChanges";

/** A method call that failed as a whole; becomes `["error", {type, description}, callId]`. */
export class MethodError extends Error {
  override readonly name = "MethodError";
  constructor(
    readonly type: MethodErrorType,
    readonly description?: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(description ?? type);
  }

  toJSON(): Record<string, unknown> {
    return {
      type: this.type,
      ...(this.description === undefined ? {} : { description: this.description }),
      ...this.extra,
    };
  }
}

/** RFC 8620 §5.3 SetError types used by /set. */
export type SetErrorType =
  | "forbidden"
  | "overQuota"
  | "tooLarge"
  | "rateLimit"
  | "notFound"
  | "invalidPatch"
  | "willDestroy"
  | "invalidProperties"
  | "singleton"
  | "blobNotFound"
  | "mailboxHasChild"
  | "mailboxHasEmail"
  | "alreadyExists"
  | "serverFail"
  // RFC 8621 §7.5 EmailSubmission/set:
  | "invalidEmail"
  | "tooManyRecipients"
  | "noRecipients"
  | "invalidRecipients"
  | "forbiddenMailFrom"
  | "forbiddenFrom"
  | "forbiddenToSend"
  | "cannotUnsend";

export interface SetError {
  readonly type: SetErrorType;
  readonly description?: string;
  readonly properties?: readonly string[];
  /** blobNotFound (RFC 8621 §4.6): the blob ids that were not found. */
  readonly notFound?: readonly string[];
  /** invalidRecipients (RFC 8621 §7.5): the addresses that were refused. */
  readonly invalidRecipients?: readonly string[];
  /** tooManyRecipients (RFC 8621 §7.5). */
  readonly maxRecipients?: number;
}

/** Shorthand for the most common method error. */
export const invalidArguments = (description: string): MethodError =>
  new MethodError("invalidArguments", description);

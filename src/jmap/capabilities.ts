// The capabilities this server advertises in the session resource (RFC 8620 §2, RFC 8621 §1.3) and the
// limits behind them; a request may `use` only these.

export const CORE_CAPABILITY = "urn:ietf:params:jmap:core";
export const MAIL_CAPABILITY = "urn:ietf:params:jmap:mail";
/** RFC 8621 §1.3.2: Identity and EmailSubmission. */
export const SUBMISSION_CAPABILITY = "urn:ietf:params:jmap:submission";
/** RFC 8621 §1.3.3. */
export const VACATION_CAPABILITY = "urn:ietf:params:jmap:vacationresponse";
export const KNOWN_CAPABILITIES: ReadonlySet<string> = new Set([
  CORE_CAPABILITY,
  MAIL_CAPABILITY,
  SUBMISSION_CAPABILITY,
  VACATION_CAPABILITY,
]);

/**
 * RFC 8621 §1.3.2: the account capability of urn:ietf:params:jmap:submission: emails are sent at once
 * (no delayed send) and no SMTP extensions can be asked for in an envelope.
 */
export const SUBMISSION_ACCOUNT_CAPABILITY = { maxDelayedSend: 0, submissionExtensions: {} } as const;

/** RFC 8620 §2 core limits, from config [http]. */
export interface JmapLimits {
  readonly maxSizeRequest: number;
  readonly maxConcurrentRequests: number;
  readonly maxCallsInRequest: number;
  readonly maxObjectsInGet: number;
  readonly maxObjectsInSet: number;
  /** Largest upload (RFC 8620 §6.1): the largest message the server accepts, as an upload is for import. */
  readonly maxSizeUpload: number;
  /** Uploads one account may run at once. */
  readonly maxConcurrentUpload: number;
  /**
   * Envelope recipients one EmailSubmission may have (`[limits] max_recipients`, as for SMTP); more is the
   * SetError tooManyRecipients with `maxRecipients` (RFC 8621 §7.5). RFC 8621 §1.3.3 has no capability
   * property for it, so it is not advertised.
   */
  readonly maxRecipientsPerSubmission: number;
}

export function coreCapability(limits: JmapLimits): Record<string, unknown> {
  return {
    maxSizeUpload: limits.maxSizeUpload,
    maxConcurrentUpload: limits.maxConcurrentUpload,
    maxSizeRequest: limits.maxSizeRequest,
    maxConcurrentRequests: limits.maxConcurrentRequests,
    maxCallsInRequest: limits.maxCallsInRequest,
    maxObjectsInGet: limits.maxObjectsInGet,
    maxObjectsInSet: limits.maxObjectsInSet,
    collationAlgorithms: ["i;ascii-casemap", "i;unicode-casemap"],
  };
}

/** RFC 8621 §1.3.1: the account capability of urn:ietf:params:jmap:mail. */
export const MAIL_ACCOUNT_CAPABILITY = {
  maxMailboxesPerEmail: null,
  maxMailboxDepth: null,
  maxSizeMailboxName: 1000,
  maxSizeAttachmentsPerEmail: 50_000_000,
  emailQuerySortOptions: ["receivedAt", "sentAt", "size", "from", "to", "subject"],
  mayCreateTopLevelMailbox: true,
} as const;

// The mail transaction of one SMTP/LMTP session (RFC 5321 §3.3): none until MAIL, then the sender, its
// parameters and the recipients accepted so far. RSET, HELO/EHLO/LHLO and STARTTLS return it to none.
import type { RecipientCheck } from "../../mail/delivery-service.js";
import type { AcceptedSubmissionRecipient } from "../../mail/submission-service.js";

export type AcceptedRecipient = Extract<RecipientCheck, { kind: "accepted" }>;
/** A local recipient, or (submission only) a remote one for the outbound queue. */
export type EnvelopeRecipient = AcceptedSubmissionRecipient;

export type Envelope =
  | { readonly stage: "none" }
  | {
      readonly stage: "open";
      /** "" is the null reverse-path. */
      readonly from: string;
      /** SMTPUTF8 was given on MAIL (RFC 6531 §3.4). */
      readonly isUtf8: boolean;
      /** BODY=8BITMIME was given (RFC 6152). */
      readonly is8Bit: boolean;
      /** SIZE= from MAIL (RFC 1870), if declared. */
      readonly declaredBytes: number | null;
      readonly recipients: readonly EnvelopeRecipient[];
      /** RCPT commands seen, accepted or not (the recipient limit counts attempts). */
      readonly rcptCount: number;
    };

export const NO_ENVELOPE: Envelope = { stage: "none" };

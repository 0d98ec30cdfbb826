// The one mapping from mail-layer error codes to SMTP/LMTP replies with enhanced status codes
// (RFC 5321 §4.2.2, RFC 3463 §3). Internal errors reach the client only as a fixed text with an id.
import type { MailError, MailErrorCode } from "../../kit/mail-error.js";
import { reply, type SmtpReply } from "../wire/smtp-reply.js";

export interface ErrorMappingOptions {
  /** Over quota is permanent (552 5.2.2) rather than temporary (452 4.2.2). */
  readonly quotaPermanent: boolean;
}

type Mapping = (error: MailError, options: ErrorMappingOptions) => SmtpReply;

const fixed =
  (code: number, enhanced: string, text: string): Mapping =>
  () =>
    reply(code, enhanced, text);

export const SMTP_ERROR_REPLIES: Record<MailErrorCode, Mapping> = {
  nonexistent: fixed(550, "5.1.1", "No such user here"),
  alreadyExists: fixed(451, "4.3.0", "Temporary failure, try again later"),
  invalidName: fixed(553, "5.1.3", "Bad recipient address syntax"),
  hasChildren: fixed(451, "4.3.0", "Temporary failure, try again later"),
  // A Sieve reject's reason is the recipient's own text (RFC 5429 §2.1); other refusals say as little.
  cannot: (error) =>
    reply(550, "5.7.1", error.publicText.replace(/[\r\n]+/g, " ").slice(0, 400) || "Delivery not allowed"),
  overQuota: (_error, options) =>
    options.quotaPermanent
      ? reply(552, "5.2.2", "Mailbox full")
      : reply(452, "4.2.2", "Mailbox full, try again later"),
  tooBig: fixed(552, "5.3.4", "Message too big"),
  invalidInput: fixed(501, "5.5.4", "Invalid arguments"),
  authFailed: fixed(535, "5.7.8", "Authentication credentials invalid"),
  noPerm: fixed(550, "5.7.1", "Delivery not allowed"),
  inUse: fixed(450, "4.2.0", "Mailbox busy, try again later"),
  limit: fixed(452, "4.3.1", "Insufficient system resources, try again later"),
  unavailable: fixed(451, "4.3.0", "Temporary failure, try again later"),
  noSpace: fixed(452, "4.3.1", "Insufficient system storage, try again later"),
  corrupted: fixed(451, "4.3.0", "Temporary failure, try again later"),
  // The public text of a serverBug carries only an id ("Internal error (id)").
  serverBug: (error) => reply(451, "4.3.0", error.publicText),
};

export function replyForError(error: MailError, options: ErrorMappingOptions): SmtpReply {
  return SMTP_ERROR_REPLIES[error.code](error, options);
}

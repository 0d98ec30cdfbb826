// The one mapping from mail-layer errors to IMAP tagged replies (RFC 9051 §7.1 and RFC 5530 response
// codes). Total over MailErrorCode: adding a code does not compile until it is mapped here.
import type { MailErrorCode } from "../../kit/mail-error.js";
import type { ImapStatus, SimpleResponseCode } from "../wire/response.js";

export interface ImapErrorReply {
  readonly status: Exclude<ImapStatus, "OK">;
  readonly code: SimpleResponseCode | null;
}

export const IMAP_ERROR_REPLIES: Readonly<Record<MailErrorCode, ImapErrorReply>> = {
  nonexistent: { status: "NO", code: "NONEXISTENT" },
  alreadyExists: { status: "NO", code: "ALREADYEXISTS" },
  invalidName: { status: "NO", code: "CANNOT" },
  hasChildren: { status: "NO", code: "HASCHILDREN" },
  cannot: { status: "NO", code: "CANNOT" },
  overQuota: { status: "NO", code: "OVERQUOTA" },
  tooBig: { status: "NO", code: "TOOBIG" },
  invalidInput: { status: "BAD", code: null },
  authFailed: { status: "NO", code: "AUTHENTICATIONFAILED" },
  noPerm: { status: "NO", code: "NOPERM" },
  inUse: { status: "NO", code: "INUSE" },
  limit: { status: "NO", code: "LIMIT" },
  unavailable: { status: "NO", code: "UNAVAILABLE" },
  // As Dovecot: a full disk is answered like a full quota, so clients tell the user the store is full.
  noSpace: { status: "NO", code: "OVERQUOTA" },
  corrupted: { status: "NO", code: "CORRUPTION" },
  serverBug: { status: "NO", code: "SERVERBUG" },
};

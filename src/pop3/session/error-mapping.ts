// The one mapping from mail-layer errors to POP3 replies (RFC 2449 §8 response codes, RFC 3206 AUTH and
// SYS/*). Total over MailErrorCode, so a new code does not compile until it is mapped here.
import { randomBytes } from "node:crypto";
import type { Logger } from "../../kit/logger.js";
import { isMailError, type MailErrorCode } from "../../kit/mail-error.js";
import { err, type Pop3Reply, type Pop3RespCode } from "../wire/pop3-reply.js";

export const MAIL_ERROR_RESP_CODES: Readonly<Record<MailErrorCode, Pop3RespCode | null>> = {
  nonexistent: null,
  alreadyExists: null,
  invalidName: null,
  hasChildren: null,
  cannot: null,
  overQuota: "SYS/PERM",
  tooBig: "SYS/PERM",
  invalidInput: null,
  authFailed: "AUTH",
  noPerm: null,
  inUse: "IN-USE",
  limit: "SYS/TEMP",
  unavailable: "SYS/TEMP",
  noSpace: "SYS/TEMP",
  corrupted: "SYS/PERM",
  serverBug: "SYS/TEMP",
};

/** The reply for an error thrown by a command; anything but a MailError is logged with an id the client sees. */
export function replyForError(error: unknown, log: Logger): Pop3Reply {
  if (isMailError(error)) {
    if (error.code === "serverBug") return internalError(error, log);
    // The operator must hear of damaged content, a full disk or a lost database, not only the client.
    if (error.code === "corrupted" || error.code === "noSpace" || error.code === "unavailable") {
      log.error({ err: error }, "POP3 command failed: storage trouble");
    }
    return err(error.publicText, MAIL_ERROR_RESP_CODES[error.code]);
  }
  return internalError(error, log);
}

function internalError(error: unknown, log: Logger): Pop3Reply {
  const id = randomBytes(6).toString("hex");
  log.error({ err: error, errorId: id }, "POP3 command failed");
  return err(`Internal error (id ${id})`, "SYS/TEMP");
}

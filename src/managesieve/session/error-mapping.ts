// The one mapping from mail-layer errors to ManageSieve NO responses (RFC 5804 §1.3 response codes).
// Total over MailErrorCode; anything but a MailError reaches the client only as a fixed text with an id.
import { randomBytes } from "node:crypto";
import type { Logger } from "../../kit/logger.js";
import { isMailError, type MailErrorCode } from "../../kit/mail-error.js";
import { type ManageSieveResponse, no, type ResponseCode } from "../wire/managesieve-response.js";

export const MAIL_ERROR_CODES: Readonly<Record<MailErrorCode, ResponseCode | null>> = {
  nonexistent: "NONEXISTENT",
  alreadyExists: "ALREADYEXISTS",
  invalidName: null,
  hasChildren: null,
  cannot: null,
  overQuota: "QUOTA",
  tooBig: "QUOTA/MAXSIZE",
  invalidInput: null,
  authFailed: null,
  noPerm: null,
  inUse: "ACTIVE",
  limit: "TRYLATER",
  unavailable: "TRYLATER",
  noSpace: "TRYLATER",
  corrupted: null,
  serverBug: "TRYLATER",
};

export function responseForError(error: unknown, log: Logger): ManageSieveResponse {
  if (isMailError(error) && error.code !== "serverBug") {
    if (error.code === "corrupted" || error.code === "noSpace" || error.code === "unavailable") {
      log.error({ err: error }, "ManageSieve command failed: storage trouble");
    }
    return no(error.publicText, MAIL_ERROR_CODES[error.code] ?? undefined);
  }
  const id = randomBytes(4).toString("hex");
  log.error({ err: error, errorId: id }, "ManageSieve command failed");
  return no(`Internal error (${id})`, "TRYLATER");
}

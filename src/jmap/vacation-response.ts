// The JMAP side of the account's VacationResponse (RFC 8621 §8): its properties, size bound and state
// string. The object itself is kept and read by the mail layer (mail/vacation-response.ts), which
// delivery also reads to send the auto-replies.
import { createHash } from "node:crypto";
import type { VacationResponse } from "../mail/vacation-response.js";

export {
  checkVacationResponse,
  isUtcDate,
  readVacationResponse,
  VACATION_DEFAULT,
  VACATION_ENTRY,
  type VacationResponse,
  writeVacationResponse,
} from "../mail/vacation-response.js";

/** Largest stored object (subject and both bodies together). */
export const MAX_VACATION_BYTES = 64_000;

export const VACATION_PROPERTIES = [
  "id",
  "isEnabled",
  "fromDate",
  "toDate",
  "subject",
  "textBody",
  "htmlBody",
] as const;

/** The state string: a digest of the stored object, so it moves exactly when the object does. */
export function vacationStateOf(value: VacationResponse): string {
  return `v${createHash("sha256").update(JSON.stringify(value)).digest("base64url").slice(0, 16)}`;
}

// RFC 5230 vacation: whether this message may be answered at all (§4.5 the user must be a recipient, §4.6
// not the user's own mail, §5 never to bounces, mailing lists or auto-submitted mail, RFC 3834 §2) and the
// reply's subject, handle and period. De-duplication per sender and handle is the caller's (§4.2, §6).

import { createHash } from "node:crypto";
import { decodeEncodedWords } from "../mime/encoded-word.js";
import { headerAddresses, splitAddress } from "./address-part.js";
import type { SieveEnvelope, SieveLimits, SieveVacation } from "./context.js";
import type { SieveMessage } from "./message.js";

export interface VacationArgs {
  readonly reason: string;
  readonly subject: string | null;
  readonly from: string | null;
  readonly addresses: readonly string[];
  readonly isMime: boolean;
  readonly handle: string | null;
  readonly days: number | null;
  readonly seconds: number | null;
}

const RECIPIENT_HEADERS = ["to", "cc", "bcc", "resent-to", "resent-cc", "resent-bcc"];
/** Senders that are robots by name (RFC 5230 §4.6 owner-*, *-request, MAILER-DAEMON; RFC 3834 §2). */
const ROBOT_LOCAL_PART = /^(owner-.*|.*-request|mailer-daemon|listserv|majordomo|postmaster)$/i;

function normalize(address: string): string {
  const { localPart, domain } = splitAddress(address.trim());
  return domain === null ? localPart.toLowerCase() : `${localPart.toLowerCase()}@${domain.toLowerCase()}`;
}

/** Why no reply goes out, or null when one may (tests and logs use the reason). */
export function vacationRefusal(
  message: SieveMessage,
  envelope: SieveEnvelope,
  userAddresses: readonly string[],
): string | null {
  if (envelope.from === "") return "the sender is the null reverse-path";
  const sender = splitAddress(envelope.from);
  if (ROBOT_LOCAL_PART.test(sender.localPart)) return "the sender is a robot address";
  const own = new Set(userAddresses.map(normalize));
  if (own.has(normalize(envelope.from))) return "the sender is the user";
  for (const value of message.headerValues("auto-submitted")) {
    if (value.split(";")[0]?.trim().toLowerCase() !== "no") return "the message is auto-submitted";
  }
  for (const value of message.headerValues("precedence")) {
    if (/^(bulk|list|junk)$/i.test(value.trim())) return "the message has Precedence bulk, list or junk";
  }
  for (const name of ["list-id", "list-unsubscribe", "list-post", "list-help"]) {
    if (message.headerValues(name).length > 0) return "the message is from a mailing list";
  }
  if (message.headerValues("x-auto-response-suppress").some((v) => /\b(all|oof|autoreply)\b/i.test(v))) {
    return "the sender asked for no automatic replies";
  }
  const isAddressed = RECIPIENT_HEADERS.some((name) =>
    message
      .headerValues(name)
      .some((value) =>
        headerAddresses(value).some((a) =>
          own.has(a.domain === null ? a.localPart.toLowerCase() : normalize(`${a.localPart}@${a.domain}`)),
        ),
      ),
  );
  if (!isAddressed) return "the user is not among the message's recipients";
  return null;
}

/** Builds the reply description; `userAddresses` already holds :addresses and the recipient. */
export function buildVacation(
  args: VacationArgs,
  message: SieveMessage,
  envelope: SieveEnvelope,
  userAddresses: readonly string[],
  limits: SieveLimits,
): SieveVacation {
  const original = message.headerValues("subject")[0];
  const subject =
    args.subject ?? `Auto: ${original === undefined ? "" : decodeEncodedWords(original)}`.trim();
  // RFC 5230 §4.1: :days 0 means the shortest period the site allows, which is a day.
  const requested = args.seconds ?? Math.max(1, args.days ?? 7) * 86_400;
  const periodSeconds = Math.min(limits.maxVacationSeconds, Math.max(limits.minVacationSeconds, requested));
  const handle =
    args.handle ??
    createHash("sha256")
      .update(JSON.stringify([args.subject, args.from, args.reason, args.isMime]))
      .digest("hex")
      .slice(0, 32);
  const messageId = message.headerValues("message-id")[0]?.trim() ?? null;
  return {
    type: "vacation",
    to: envelope.from,
    from: args.from,
    subject,
    reason: args.reason,
    isMime: args.isMime,
    handle,
    periodSeconds,
    inReplyTo: messageId === "" ? null : messageId,
    addresses: userAddresses,
  };
}

// Delivery status notifications (RFC 3464 in an RFC 6522 multipart/report): what the sender of a queued
// message gets back when a recipient failed for good or the queue lifetime ran out. The report carries a
// readable explanation, one per-recipient block each, and the original message's header (RFC 6522 §3:
// text/rfc822-headers), never its body.
import { randomBytes } from "node:crypto";
import { formatDate } from "../mail/trace-headers.js";
import { parseHeaderBlock } from "../mime/header.js";

export interface FailedRecipient {
  readonly recipient: string;
  /** RFC 3463 status: from the server's enhanced code, or 4.4.7 when the queue lifetime expired. */
  readonly status: string;
  /** The last reply or error, as "550 5.1.1 No such user". */
  readonly diagnostic: string;
  /** The server that gave the reply, if one did. */
  readonly remoteMta: string | null;
}

export interface DsnInput {
  /** This server, the Reporting-MTA. */
  readonly hostname: string;
  /** Who gets the report (the original MAIL FROM). */
  readonly to: string;
  readonly arrivalMs: number;
  readonly nowMs: number;
  readonly failed: readonly FailedRecipient[];
  /** The original message; its header section is returned. */
  readonly original: Buffer;
}

/** The status an RFC 3464 Status field carries for a reply line: its enhanced code, else the class. */
export function statusOf(reply: string): string {
  const enhanced = /^[245][0-9][0-9] ([245]\.[0-9]{1,3}\.[0-9]{1,3})\b/.exec(reply)?.[1];
  if (enhanced !== undefined) return enhanced;
  return reply.startsWith("5") ? "5.0.0" : "4.0.0";
}

export function buildDsn(input: DsnInput): Buffer {
  const boundary = `=_dsn_${randomBytes(12).toString("hex")}`;
  const header = parseHeaderBlock(input.original, 0, input.original.length);
  // The original header's bytes go back as they came (they may be 8-bit), the rest is UTF-8.
  let originalHeader = input.original.subarray(0, header.headerEnd);
  while (originalHeader.length > 0 && (originalHeader.at(-1) === 0x0a || originalHeader.at(-1) === 0x0d))
    originalHeader = originalHeader.subarray(0, -1);
  const isExpired = input.failed.some((f) => f.status === "4.4.7");
  const explanation = [
    `This is the mail system at ${input.hostname}.`,
    "",
    isExpired
      ? "Your message could not be delivered to the following recipients within the time allowed; it has been removed from the queue:"
      : "Your message could not be delivered to the following recipients:",
    "",
    ...input.failed.map((f) => `  <${f.recipient}>: ${f.diagnostic}`),
    "",
  ].join("\r\n");
  const perRecipient = input.failed.map((f) =>
    [
      `Final-Recipient: rfc822; ${f.recipient}`,
      "Action: failed",
      `Status: ${f.status}`,
      ...(f.remoteMta === null ? [] : [`Remote-MTA: dns; ${f.remoteMta}`]),
      `Diagnostic-Code: smtp; ${oneLine(f.diagnostic)}`,
      `Last-Attempt-Date: ${formatDate(input.nowMs)}`,
    ].join("\r\n"),
  );
  const status = [
    `Reporting-MTA: dns; ${input.hostname}`,
    `Arrival-Date: ${formatDate(input.arrivalMs)}`,
    "",
    perRecipient.join("\r\n\r\n"),
  ].join("\r\n");
  const before = [
    `From: Mail Delivery System <MAILER-DAEMON@${input.hostname}>`,
    `To: <${input.to}>`,
    `Subject: ${isExpired ? "Undelivered Mail: delivery time expired" : "Undelivered Mail Returned to Sender"}`,
    `Date: ${formatDate(input.nowMs)}`,
    `Message-ID: <${randomBytes(12).toString("hex")}@${input.hostname}>`,
    // RFC 3834 §5: an automatic reply, which no one should answer automatically.
    "Auto-Submitted: auto-replied",
    "MIME-Version: 1.0",
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    explanation,
    `--${boundary}`,
    "Content-Type: message/delivery-status",
    "",
    status,
    "",
    `--${boundary}`,
    "Content-Type: text/rfc822-headers",
    "",
    "",
  ].join("\r\n");
  const after = `\r\n\r\n--${boundary}--\r\n`;
  return Buffer.concat([Buffer.from(before, "utf8"), originalHeader, Buffer.from(after, "utf8")]);
}

const oneLine = (text: string): string => text.replace(/[\r\n]+/g, " ");

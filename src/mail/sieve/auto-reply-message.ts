// The messages Sieve makes on its own: a vacation reply (RFC 5230 §5: From, To, Subject, In-Reply-To and
// References of the original, Auto-Submitted: auto-replied per RFC 3834 §5) and the notice a rejected
// message's sender gets when the refusal cannot be said in the SMTP session (RFC 5429 §2.2), carrying the
// original's header. Plain RFC 5322 text with CRLF; non-ASCII text is base64, non-ASCII subjects RFC 2047.
import { randomBytes } from "node:crypto";

export interface VacationReplyInput {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  /** Plain text, or a whole MIME entity (its own header and body) when `isMime`. */
  readonly reason: string;
  readonly isMime: boolean;
  /** Message-ID of the original (with its angle brackets), null when it had none. */
  readonly inReplyTo: string | null;
  /** The original's References field, if any, to extend (RFC 5322 §3.6.4). */
  readonly references: string | null;
  readonly hostname: string;
  readonly nowMs: number;
}

const isAscii = (text: string): boolean => /^[\x00-\x7f]*$/.test(text);

/** An unstructured header value: as is when ASCII, else one RFC 2047 encoded-word per 45 bytes. */
export function encodeHeaderText(text: string): string {
  const flat = text.replace(/[\r\n]+/g, " ");
  if (isAscii(flat)) return flat;
  const words: string[] = [];
  let current = "";
  for (const char of flat) {
    if (Buffer.byteLength(current + char, "utf8") > 45) {
      words.push(current);
      current = "";
    }
    current += char;
  }
  if (current !== "") words.push(current);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, "utf8").toString("base64")}?=`).join("\r\n ");
}

function messageId(hostname: string): string {
  return `<${randomBytes(12).toString("hex")}.sieve@${hostname}>`;
}

/** A text/plain body part: its content headers and its body, base64 when not ASCII. */
function textPart(text: string): { headers: string[]; body: string } {
  const normalized = text.replace(/\r?\n/g, "\r\n");
  if (isAscii(normalized)) {
    return {
      headers: ["Content-Type: text/plain; charset=us-ascii", "Content-Transfer-Encoding: 7bit"],
      body: normalized,
    };
  }
  const base64 = Buffer.from(normalized, "utf8").toString("base64").replace(/.{76}/g, "$&\r\n");
  return {
    headers: ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"],
    body: base64,
  };
}

export function formatVacationReply(input: VacationReplyInput): Buffer {
  const headers = [
    `From: ${input.from}`,
    `To: ${input.to}`,
    `Subject: ${encodeHeaderText(input.subject)}`,
    `Date: ${new Date(input.nowMs).toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: ${messageId(input.hostname)}`,
    "Auto-Submitted: auto-replied (vacation)",
    "MIME-Version: 1.0",
  ];
  if (input.inReplyTo !== null) {
    headers.push(`In-Reply-To: ${input.inReplyTo}`);
    const references =
      input.references === null ? input.inReplyTo : `${input.references.trim()} ${input.inReplyTo}`;
    headers.push(`References: ${references}`);
  }
  if (input.isMime) {
    // §4.4: the reason is a MIME entity; its own header (Content-Type…) completes ours.
    const entity = input.reason.replace(/\r?\n/g, "\r\n");
    return Buffer.from(`${headers.join("\r\n")}\r\n${entity}`, "utf8");
  }
  const part = textPart(input.reason);
  return Buffer.from(`${[...headers, ...part.headers].join("\r\n")}\r\n\r\n${part.body}\r\n`, "utf8");
}

export interface RejectionNoticeInput {
  readonly to: string;
  /** The rejecting recipient. */
  readonly recipient: string;
  readonly reason: string;
  /** The original message's header section (up to its blank line). */
  readonly originalHeader: string;
  readonly originalSubject: string;
  readonly hostname: string;
  readonly nowMs: number;
}

/** A multipart/report-like notice that `recipient` refused the message, with the original's header. */
export function formatRejectionNotice(input: RejectionNoticeInput): Buffer {
  const boundary = `=_reject_${randomBytes(8).toString("hex")}`;
  const part = textPart(
    `Your message to ${input.recipient} was rejected by the recipient's mail filter:\n\n${input.reason}\n`,
  );
  const lines = [
    `From: Mail Delivery System <MAILER-DAEMON@${input.hostname}>`,
    `To: ${input.to}`,
    `Subject: ${encodeHeaderText(`Rejected: ${input.originalSubject}`)}`,
    `Date: ${new Date(input.nowMs).toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: ${messageId(input.hostname)}`,
    "Auto-Submitted: auto-replied (rejected)",
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    ...part.headers,
    "",
    part.body,
    `--${boundary}`,
    "Content-Type: text/rfc822-headers",
    "",
    input.originalHeader.replace(/\r?\n/g, "\r\n").trimEnd(),
    `--${boundary}--`,
    "",
  ];
  return Buffer.from(lines.join("\r\n"), "utf8");
}

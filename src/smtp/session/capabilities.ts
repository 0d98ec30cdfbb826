// The EHLO/LHLO reply (RFC 5321 §4.1.1.1): greeting line, then the service extensions this session offers
// (RFC 2920 PIPELINING, RFC 1870 SIZE, RFC 6152 8BITMIME, RFC 6531 SMTPUTF8, RFC 2034, RFC 3030 CHUNKING,
// RFC 3207 STARTTLS, RFC 4954 AUTH and RFC 4468 BURL on submission).
import { reply, type SmtpReply } from "../wire/smtp-reply.js";

export function helloReply(
  hostname: string,
  clientName: string,
  options: {
    maxMessageBytes: number;
    canStartTls: boolean;
    authMechanisms: readonly string[];
    /** RFC 4468 §3: `BURL imap` (IMAP URLs with URLAUTH) on submission. */
    isBurlOffered?: boolean;
  },
): SmtpReply {
  return reply(
    250,
    null,
    `${hostname} Hello ${clientName}`,
    "PIPELINING",
    `SIZE ${options.maxMessageBytes}`,
    "8BITMIME",
    "SMTPUTF8",
    "ENHANCEDSTATUSCODES",
    "CHUNKING",
    ...(options.canStartTls ? ["STARTTLS"] : []),
    ...(options.authMechanisms.length > 0 ? [`AUTH ${options.authMechanisms.join(" ")}`] : []),
    ...(options.isBurlOffered === true ? ["BURL imap"] : []),
  );
}

/** RFC 3848 / RFC 6531 §3.7.3 "with" keyword for the Received line. */
export function protocolName(
  mode: "smtp" | "lmtp" | "submission",
  isExtended: boolean,
  isTls: boolean,
  isUtf8: boolean,
): string {
  if (mode === "smtp" && !isExtended) return "SMTP";
  const base = mode === "lmtp" ? "LMTP" : isUtf8 ? "SMTP" : "ESMTP";
  // Submission is always authenticated: ESMTPA, ESMTPSA, UTF8SMTPSA (RFC 3848 §1, RFC 6531 §3.7.3).
  return `${isUtf8 ? "UTF8" : ""}${base}${isTls ? "S" : ""}${mode === "submission" ? "A" : ""}`;
}

// Trace fields added at final delivery (RFC 5321 §4.4): Return-Path with the envelope sender, Delivered-To
// (Postfix/qmail convention, loop detection) and a Received line naming the client, this host and the protocol.

export interface TraceInfo {
  /** Envelope sender as received; "" for the null reverse-path (bounces). */
  readonly returnPath: string;
  /** The recipient this copy is for (each copy has its own trace fields); null to name none. */
  readonly deliveredTo: string | null;
  /** The HELO/EHLO/LHLO name the client gave. */
  readonly heloName: string;
  readonly remoteAddress: string;
  /** This server's host name. */
  readonly hostname: string;
  /** RFC 5321 §4.4 / RFC 3848 / RFC 6531 "with" keyword: ESMTP, ESMTPS, LMTP, UTF8SMTPS, … */
  readonly protocol: string;
  /** Transaction id, also used in logs. */
  readonly id: string;
  readonly receivedAtMs: number;
}

/** The header block to prepend to the message, CRLF-terminated lines. */
export function formatTraceHeaders(trace: TraceInfo): string {
  const lines = [`Return-Path: <${headerSafe(trace.returnPath)}>`];
  if (trace.deliveredTo !== null) lines.push(`Delivered-To: ${headerSafe(trace.deliveredTo)}`);
  return `${lines.join("\r\n")}\r\n${formatReceived(trace)}`;
}

/**
 * The Received line alone, CRLF-terminated: what a relay adds (RFC 5321 §4.4), e.g. submission before
 * a message goes to the outbound queue, where Return-Path and Delivered-To do not belong.
 */
export function formatReceived(trace: Omit<TraceInfo, "returnPath">): string {
  const remote = `[${trace.remoteAddress}]`;
  return (
    `Received: from ${atomSafe(trace.heloName) || "unknown"} (${remote})\r\n` +
    `\tby ${atomSafe(trace.hostname)} (Postfach) with ${trace.protocol} id ${trace.id}` +
    (trace.deliveredTo !== null ? `\r\n\tfor <${headerSafe(trace.deliveredTo)}>` : "") +
    `;\r\n\t${formatDate(trace.receivedAtMs)}\r\n`
  );
}

/** RFC 5322 §3.3 date-time in UTC, e.g. "Thu, 26 Nov 2026 10:00:00 +0000". */
export function formatDate(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, "+0000");
}

// Client-chosen text must not break the header: no controls, no line breaks.
const headerSafe = (text: string): string => text.replace(/[\u0000-\u001f\u007f]/g, "?");
const atomSafe = (text: string): string => text.replace(/[^\x21-\x7e]|[()<>;]/g, "?");

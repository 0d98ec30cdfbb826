// SMTP replies (RFC 5321 §4.2) with enhanced status codes (RFC 2034, RFC 3463): one reply, one or more
// lines, formatted as "250-first" … "250 last" with the enhanced code repeated on every line.

export interface SmtpReply {
  readonly code: number;
  /** "2.1.0" and the like; null where ENHANCEDSTATUSCODES does not apply (220 greeting, EHLO lines). */
  readonly enhanced: string | null;
  readonly lines: readonly string[];
}

export function reply(code: number, enhanced: string | null, ...lines: string[]): SmtpReply {
  return { code, enhanced, lines: lines.length === 0 ? [""] : lines };
}

export function formatReply(r: SmtpReply): string {
  const prefix = r.enhanced === null ? "" : `${r.enhanced} `;
  return r.lines
    .map((line, i) => `${r.code}${i === r.lines.length - 1 ? " " : "-"}${prefix}${line}`.trimEnd())
    .join("\r\n")
    .concat("\r\n");
}

export const isPositive = (r: SmtpReply): boolean => r.code < 400;

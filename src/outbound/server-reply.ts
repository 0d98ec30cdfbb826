// Replies of a remote SMTP server as the client reads them (RFC 5321 §4.2): "250-first" … "250 last",
// with the RFC 3463 enhanced code when the server gives one. Pure: fed lines, returns whole replies.

export interface ServerReply {
  readonly code: number;
  /** "5.1.1" and the like, when the first line starts with one. */
  readonly enhanced: string | null;
  /** The lines' text after the code, joined with a space. */
  readonly text: string;
  /** Each line's text after the code (EHLO lists its extensions one per line). */
  readonly lines: readonly string[];
}

/** "550 5.1.1 No such user" — for logs, the queue's last error and DSN Diagnostic-Code fields. */
export function formatServerReply(r: ServerReply): string {
  return `${r.code} ${r.enhanced === null ? "" : `${r.enhanced} `}${r.text}`.trimEnd();
}

export const isPositiveReply = (r: ServerReply): boolean => r.code >= 200 && r.code < 400;
export const isPermanentReply = (r: ServerReply): boolean => r.code >= 500;

/** Collects reply lines; `push` returns the reply once its last line ("NNN " or "NNN") arrived. */
export class ReplyCollector {
  #lines: string[] = [];

  /** Throws on a line that is not a reply line (the server is not speaking SMTP). */
  push(line: string): ServerReply | null {
    const match = /^([2-5][0-9][0-9])([ -]|$)(.*)$/.exec(line);
    if (!match) throw new Error(`Malformed reply from the server: ${line.slice(0, 80)}`);
    this.#lines.push(match[3] ?? "");
    if (match[2] === "-") return null;
    const lines = this.#lines;
    this.#lines = [];
    const enhanced = /^([245]\.[0-9]{1,3}\.[0-9]{1,3}) /.exec(`${lines[0] ?? ""} `)?.[1] ?? null;
    const strip = (text: string) =>
      enhanced !== null && text.startsWith(enhanced) ? text.slice(enhanced.length).trimStart() : text;
    return { code: Number(match[1]), enhanced, text: lines.map(strip).join(" ").trim(), lines };
  }
}

/** The EHLO keywords (upper-case) with their parameters, from a 250 reply's lines after the first. */
export function parseExtensions(ehlo: ServerReply): Map<string, string> {
  const extensions = new Map<string, string>();
  for (const line of ehlo.lines.slice(1)) {
    const [keyword = "", ...rest] = line.trim().split(/\s+/);
    if (keyword !== "") extensions.set(keyword.toUpperCase(), rest.join(" "));
  }
  return extensions;
}

// URLAUTH-authorized IMAP URLs (RFC 4467 §3, §9): an absolute message URL, an optional `;EXPIRE=`, then
// `;URLAUTH=<access>` (the "rump" the token is computed over) and, when authorized, `:<mechanism>:<token>`.
// Pure parsing; the token is checked by UrlAuthService.
import { type ImapUrlParts, parseImapUrlParts, percentDecode } from "./imap-url-parts.js";

/** Who may fetch the URL (RFC 4467 §3): a submission server for a user, a user, any user, anyone. */
export type UrlAuthAccess =
  | { readonly kind: "submit"; readonly user: string }
  | { readonly kind: "user"; readonly user: string }
  | { readonly kind: "authuser" }
  | { readonly kind: "anonymous" };

export interface UrlAuthUrl extends ImapUrlParts {
  /** The URL up to and including the access identifier: what the token authorizes. */
  readonly rump: string;
  /** The URL's owner: the user of the absolute URL (`imap://alice@host/…`). */
  readonly user: string;
  readonly mailbox: string;
  /** `;EXPIRE=` as epoch milliseconds, or null. */
  readonly expiresAtMs: number | null;
  readonly access: UrlAuthAccess;
  /** Upper-cased; null for a rump URL (no verifier yet). */
  readonly mechanism: string | null;
  /** Lower-cased hex; null for a rump URL. */
  readonly token: string | null;
}

const URLAUTH = /;URLAUTH=/gi;

/** Parses a rump or full URLAUTH URL; null when it is not one (the caller answers BADURL or NIL). */
export function parseUrlAuthUrl(url: string): UrlAuthUrl | null {
  const matches = [...url.matchAll(URLAUTH)];
  const last = matches.at(-1);
  if (last === undefined || matches.length > 1) return null;
  const accessStart = last.index + last[0].length;
  const verifierAt = url.indexOf(":", accessStart);
  const accessText = url.slice(accessStart, verifierAt < 0 ? url.length : verifierAt);
  const access = parseAccess(accessText);
  if (access === null) return null;
  let mechanism: string | null = null;
  let token: string | null = null;
  if (verifierAt >= 0) {
    const verifier = /^:([A-Za-z0-9-.]+):([0-9A-Fa-f]{32,})$/.exec(url.slice(verifierAt));
    if (verifier === null) return null;
    mechanism = (verifier[1] ?? "").toUpperCase();
    token = (verifier[2] ?? "").toLowerCase();
  }
  let messageUrl = url.slice(0, last.index);
  let expiresAtMs: number | null = null;
  const expire = /;EXPIRE=([^;/]+)$/i.exec(messageUrl);
  if (expire !== null) {
    expiresAtMs = parseDateTime(expire[1] ?? "");
    if (expiresAtMs === null) return null;
    messageUrl = messageUrl.slice(0, expire.index);
  }
  const parts = parseImapUrlParts(messageUrl);
  if (parts === null || parts.user === null || parts.mailbox === null || !/^imap:\/\//i.test(url))
    return null;
  return {
    ...parts,
    user: parts.user,
    mailbox: parts.mailbox,
    rump: url.slice(0, accessStart + accessText.length),
    expiresAtMs,
    access,
    mechanism,
    token,
  };
}

function parseAccess(text: string): UrlAuthAccess | null {
  const lower = text.toLowerCase();
  if (lower === "authuser") return { kind: "authuser" };
  if (lower === "anonymous") return { kind: "anonymous" };
  const scoped = /^(submit|user)\+(.+)$/i.exec(text);
  if (scoped === null) return null;
  const user = percentDecode(scoped[2] ?? "");
  if (user === null || user === "") return null;
  return { kind: (scoped[1] ?? "").toLowerCase() === "submit" ? "submit" : "user", user };
}

/** RFC 3339 date-time (RFC 4467 §9 `expire`); null when malformed. */
function parseDateTime(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

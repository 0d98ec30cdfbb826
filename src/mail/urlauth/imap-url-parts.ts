// The parts of an IMAP URL naming a message or a part of one (RFC 5092): the absolute form
// `imap://[user@]host[:port]/mailbox;UIDVALIDITY=v/;UID=u[/;SECTION=s][/;PARTIAL=o.n]`, the path form
// without scheme and host (`/mailbox;…`), and the form relative to the selected mailbox
// (`;UID=u[/;SECTION=s][/;PARTIAL=o.n]`). Pure parsing, shared by IMAP (CATENATE, URLFETCH) and
// submission (BURL); the section is left as text for each to interpret.

export interface ImapUrlParts {
  /** The user named in an absolute URL (`imap://user@host/…`), percent-decoded; null when absent. */
  readonly user: string | null;
  /** The mailbox name (UTF-8, percent-decoded), or null for a URL relative to the selected mailbox. */
  readonly mailbox: string | null;
  readonly uidValidity: number | null;
  readonly uid: number;
  /** `;SECTION=` percent-decoded (FETCH section-spec syntax), or null for the whole message. */
  readonly section: string | null;
  /** RFC 5092 `;PARTIAL=offset[.length]`. */
  readonly partial: { readonly offset: number; readonly length: number } | null;
}

const MAX_NUMBER = 0xffff_ffff;

/** Parses a message URL; null when it is not one this server can resolve (the caller answers BADURL). */
export function parseImapUrlParts(url: string): ImapUrlParts | null {
  let rest = url;
  let user: string | null = null;
  let mailbox: string | null = null;
  let uidValidity: number | null = null;
  if (/^imap:\/\//i.test(rest)) {
    rest = rest.slice("imap://".length);
    const slash = rest.indexOf("/");
    if (slash < 0) return null;
    const authority = rest.slice(0, slash);
    rest = rest.slice(slash);
    const at = authority.lastIndexOf("@");
    if (at >= 0) {
      // `user;AUTH=mech@host`: only the user part matters here.
      const userPart = authority.slice(0, at).split(";")[0] ?? "";
      user = percentDecode(userPart);
      if (user === null || user === "") return null;
    }
  }
  let messagePart = rest;
  if (rest.startsWith("/")) {
    // `enc-mailbox [";UIDVALIDITY=" nz-number]` may hold "/" (the hierarchy delimiter), so it ends where
    // `/;UID=` starts.
    const uidAt = rest.search(/\/;UID=/i);
    if (uidAt < 0) return null;
    const match = /^([^;]*)(?:;UIDVALIDITY=([1-9][0-9]*))?$/i.exec(rest.slice(1, uidAt));
    if (match === null || match[1] === "") return null;
    mailbox = percentDecode(match[1] ?? "");
    if (mailbox === null) return null;
    if (match[2] !== undefined) {
      uidValidity = toNumber(match[2]);
      if (uidValidity === null) return null;
    }
    messagePart = rest.slice(uidAt + 1);
  } else if (user !== null) {
    return null;
  }
  const segments = messagePart.split("/");
  const uidMatch = /^;UID=([1-9][0-9]*)$/i.exec(segments.shift() ?? "");
  if (uidMatch === null) return null;
  const uid = toNumber(uidMatch[1] ?? "");
  if (uid === null) return null;
  let section: string | null = null;
  let partial: ImapUrlParts["partial"] = null;
  let next = segments.shift();
  const sectionMatch = next === undefined ? null : /^;SECTION=(.+)$/i.exec(next);
  if (sectionMatch !== null) {
    section = percentDecode(sectionMatch[1] ?? "");
    if (section === null) return null;
    next = segments.shift();
  }
  if (next !== undefined) {
    const partialMatch = /^;PARTIAL=([0-9]+)(?:\.([1-9][0-9]*))?$/i.exec(next);
    if (partialMatch === null) return null;
    const offset = toNumber(partialMatch[1] ?? "");
    const length = partialMatch[2] === undefined ? MAX_NUMBER : toNumber(partialMatch[2]);
    if (offset === null || length === null) return null;
    partial = { offset, length };
    next = segments.shift();
  }
  // Anything more (`;URLAUTH=`, `;EXPIRE=`, a trailing segment) is not part of a plain message URL.
  if (next !== undefined || segments.length > 0) return null;
  return { user, mailbox, uidValidity, uid, section, partial };
}

function toNumber(digits: string): number | null {
  if (digits.length > 10) return null;
  const n = Number(digits);
  return Number.isSafeInteger(n) && n <= MAX_NUMBER ? n : null;
}

/** `%XX` escapes of UTF-8 bytes; null for a broken escape or bytes that are not UTF-8. */
export function percentDecode(text: string): string | null {
  if (/[\x00-\x1f\x7f]/.test(text)) return null;
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

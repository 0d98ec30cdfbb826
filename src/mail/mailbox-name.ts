// Mailbox names as the mail layer stores them: UTF-8, "/" as the hierarchy delimiter, INBOX spelled
// "INBOX" whatever case the client used (RFC 9051 §5.1). Protocols convert their wire form first
// (IMAP's modified UTF-7 stays in imap/).
import { MailError } from "../kit/mail-error.js";

export const HIERARCHY_DELIMITER = "/";
export const INBOX = "INBOX";
const MAX_NAME_BYTES = 1024;
const MAX_LEVEL_CHARS = 255;
const MAX_DEPTH = 32;
// Control characters would break logs and clients; % and * are IMAP LIST wildcards (Dovecot refuses them too).
const FORBIDDEN = /[\u0000-\u001f\u007f%*]/;
// "." and ".." would mean a path step to any backend or export that maps names to files.
const DOT_LEVELS = new Set([".", ".."]);
// RFC 9051 §5.1.2: "#" starts another namespace by convention, "~" another user's in common models;
// there is only the personal namespace here, so a name that looks like another one is refused.
const NAMESPACE_PREFIXES = ["#", "~"];

/** Validates and canonicalizes a mailbox name, or throws MailError("invalidName"). */
export function normalizeMailboxName(name: string): string {
  // "Work/" is how IMAP clients ask for a folder meant to hold folders; the trailing delimiter goes.
  const trimmed = name.endsWith(HIERARCHY_DELIMITER) ? name.slice(0, -1) : name;
  if (trimmed === "") throw invalid("Mailbox name is empty");
  if (FORBIDDEN.test(trimmed)) throw invalid("Mailbox name contains a forbidden character");
  if (Buffer.byteLength(trimmed) > MAX_NAME_BYTES) throw invalid("Mailbox name is too long");
  const levels = trimmed.split(HIERARCHY_DELIMITER);
  if (levels.length > MAX_DEPTH) throw invalid("Mailbox hierarchy is too deep");
  for (const level of levels) {
    if (level === "") throw invalid("Mailbox name has an empty level");
    if (level.length > MAX_LEVEL_CHARS) throw invalid("Mailbox name level is too long");
    if (DOT_LEVELS.has(level)) throw invalid("Mailbox name has a . or .. level");
  }
  if (NAMESPACE_PREFIXES.some((prefix) => trimmed.startsWith(prefix))) {
    throw invalid("Mailbox name starts with a namespace prefix");
  }
  if ((levels[0] as string).toUpperCase() === INBOX) levels[0] = INBOX;
  return levels.join(HIERARCHY_DELIMITER).normalize("NFC");
}

/** "a/b/c" → ["a", "a/b"]: the names that must exist above it. */
export function parentNames(name: string): string[] {
  const levels = name.split(HIERARCHY_DELIMITER);
  return levels.slice(0, -1).map((_, i) => levels.slice(0, i + 1).join(HIERARCHY_DELIMITER));
}

export function isInbox(name: string): boolean {
  return name === INBOX;
}

function invalid(text: string): MailError {
  return new MailError("invalidName", text);
}

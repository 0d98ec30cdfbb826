// Between the store's FlagSet and IMAP flag lists (RFC 9051 §2.3.2): system flags by their canonical
// spelling, keywords as atoms, and \Recent, which exists only in IMAP4rev1 sessions.
import { MailError } from "../../kit/mail-error.js";
import { type FlagSet, SYSTEM_FLAGS, type SystemFlag } from "../../store/mail-store.js";

const SYSTEM_BY_LOWER = new Map<string, SystemFlag>(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f]));
export const RECENT = "\\Recent";
/** Keywords many clients use; always offered in FLAGS so they show as settable. */
export const WELL_KNOWN_KEYWORDS = ["$Forwarded", "$Junk", "$NotJunk", "$MDNSent", "$Phishing"] as const;
const MAX_KEYWORD_CHARS = 128;

/**
 * Lists by flag set, with and without \Recent: the store shares one FlagSet per distinct combination, so
 * a FETCH of a whole mailbox makes one list per combination instead of one per message.
 */
const listsByFlagSet = new WeakMap<FlagSet, readonly string[]>();
const recentListsByFlagSet = new WeakMap<FlagSet, readonly string[]>();

export function toImapFlags(flags: FlagSet, isRecent: boolean): readonly string[] {
  const cache = isRecent ? recentListsByFlagSet : listsByFlagSet;
  const known = cache.get(flags);
  if (known !== undefined) return known;
  const list: string[] = [...flags.system];
  if (isRecent) list.push(RECENT);
  list.push(...flags.keywords);
  cache.set(flags, list);
  return list;
}

/**
 * Reads a STORE/APPEND flag list. \Recent is ignored (clients cannot set it); other unknown
 * backslash flags and over-long keywords are refused with BAD.
 */
export function parseImapFlags(names: readonly string[]): FlagSet {
  const system = new Set<SystemFlag>();
  const keywords: string[] = [];
  for (const name of names) {
    if (name.startsWith("\\")) {
      const flag = SYSTEM_BY_LOWER.get(name.toLowerCase());
      if (flag) system.add(flag);
      else if (name.toLowerCase() !== RECENT.toLowerCase()) {
        throw new MailError("invalidInput", `Unknown system flag ${name}`);
      }
    } else if (name.length > MAX_KEYWORD_CHARS) {
      throw new MailError("invalidInput", "Keyword too long");
    } else {
      keywords.push(name);
    }
  }
  return { system, keywords };
}

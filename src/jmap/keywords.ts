// Email keywords ↔ IMAP flags (RFC 8621 §4.1.1): $seen, $flagged, $answered and $draft are IMAP's system
// flags \Seen, \Flagged, \Answered and \Draft; other keywords are the same in both, compared without case.
// \Deleted has no keyword: JMAP does not show it (RFC 8621 §4.1.1 leaves IMAP's \Deleted to IMAP).
import type { FlagSet, SystemFlag } from "../store/mail-store.js";

const KEYWORD_OF_FLAG: ReadonlyMap<SystemFlag, string> = new Map<SystemFlag, string>([
  ["\\Seen", "$seen"],
  ["\\Flagged", "$flagged"],
  ["\\Answered", "$answered"],
  ["\\Draft", "$draft"],
]);
const FLAG_OF_KEYWORD: ReadonlyMap<string, SystemFlag> = new Map(
  [...KEYWORD_OF_FLAG].map(([flag, keyword]) => [keyword, flag]),
);

/** RFC 8621 §4.1.1: 1-255 characters of IMAP `atom-char` minus `]` (no spaces, parentheses, braces…). */
const KEYWORD_SYNTAX = /^[\x21\x23-\x27\x2a-\x5b\x5e-\x7a\x7c\x7e]{1,255}$/;

export function isValidKeyword(keyword: string): boolean {
  return KEYWORD_SYNTAX.test(keyword) && keyword.toLowerCase() !== "\\deleted";
}

/** The keywords of an entry's flags, lower-case, as a JMAP `keywords` object. */
export function keywordsOf(flags: FlagSet): Record<string, true> {
  const keywords: Record<string, true> = {};
  for (const flag of flags.system) {
    const keyword = KEYWORD_OF_FLAG.get(flag);
    if (keyword !== undefined) keywords[keyword] = true;
  }
  for (const keyword of flags.keywords) keywords[keyword.toLowerCase()] = true;
  return keywords;
}

/** The flags for a set of (valid) keywords; \Deleted is kept as `keep` says, since JMAP cannot see it. */
export function flagsOf(keywords: Iterable<string>, keepDeleted: boolean): FlagSet {
  const system = new Set<SystemFlag>(keepDeleted ? ["\\Deleted"] : []);
  const other = new Set<string>();
  for (const raw of keywords) {
    const keyword = raw.toLowerCase();
    const flag = FLAG_OF_KEYWORD.get(keyword);
    if (flag !== undefined) system.add(flag);
    else other.add(keyword);
  }
  return { system, keywords: [...other].sort() };
}

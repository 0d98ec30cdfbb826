// Which names a LIST or LSUB returns: RFC 9051 §6.3.9 and RFC 5258 §3.1 selection (SUBSCRIBED,
// SPECIAL-USE of RFC 6154 §4, RECURSIVEMATCH with CHILDINFO of §3.5), RFC 3501 §6.3.9 for LSUB.
import { parentNames } from "../../mail/mailbox-name.js";
import { compareMailboxNames, type MailboxFacts } from "./list-attributes.js";
import { type MailboxPattern, matchesAny } from "./mailbox-pattern.js";

export interface ListSelectionOptions {
  readonly subscribed: boolean;
  readonly specialUse: boolean;
  readonly recursiveMatch: boolean;
}

/** One name to return. */
export interface ListedName {
  readonly name: string;
  /** RFC 5258 §3.5 CHILDINFO: the selection criteria some descendant meets. */
  readonly childInfo: readonly string[];
  /** Returned for itself (not only because of its descendants): LIST-STATUS reports on it if it exists. */
  readonly meetsSelection: boolean;
}

/** LIST: names matching any pattern and the selection (all options must hold: RFC 5258 §3.1). */
export function selectListNames(
  facts: MailboxFacts,
  patterns: readonly MailboxPattern[],
  selection: ListSelectionOptions,
): ListedName[] {
  const meets = (name: string): boolean => {
    if (selection.subscribed && !facts.subscribed.has(name)) return false;
    if (selection.specialUse && !facts.existing.get(name)?.specialUse) return false;
    // Without a selection option, missing parents of existing mailboxes are listed too (as \Noselect).
    return facts.existing.has(name) || facts.withChildren.has(name) || selection.subscribed;
  };
  const candidates = new Set<string>(facts.existing.keys());
  for (const name of facts.withChildren) candidates.add(name);
  if (selection.subscribed) {
    for (const name of facts.subscribed) candidates.add(name);
    for (const name of facts.withSubscribedDescendant) candidates.add(name);
  }
  // For RECURSIVEMATCH: the names meeting the selection that the patterns themselves do not return.
  const unmatchedMeeting: string[] = [];
  const result: ListedName[] = [];
  const matched = [...candidates].filter((name) => {
    const isMatch = matchesAny(patterns, name);
    if (!isMatch && selection.recursiveMatch && meets(name)) unmatchedMeeting.push(name);
    return isMatch;
  });
  const parentsOfUnmatched = new Set(unmatchedMeeting.flatMap(parentNames));
  for (const name of matched.sort(compareMailboxNames)) {
    const meetsItself = meets(name);
    const childInfo = selection.recursiveMatch ? recursiveChildInfo(name, facts, selection) : [];
    // RFC 5258 §3.5: a name that only qualifies through its descendants is worth returning only when
    // one of them is not returned itself.
    if (meetsItself || (childInfo.length > 0 && parentsOfUnmatched.has(name))) {
      result.push({ name, childInfo, meetsSelection: meetsItself });
    }
  }
  return result;
}

function recursiveChildInfo(name: string, facts: MailboxFacts, selection: ListSelectionOptions): string[] {
  const info: string[] = [];
  if (selection.subscribed && facts.withSubscribedDescendant.has(name)) info.push("SUBSCRIBED");
  if (selection.specialUse && facts.withSpecialUseDescendant.has(name)) info.push("SPECIAL-USE");
  // Both options at once: a descendant must meet both; the two sets only approximate that.
  return selection.subscribed && selection.specialUse && info.length < 2 ? [] : info;
}

/** One LSUB reply line. */
export interface LsubName {
  readonly name: string;
  /** Not subscribed itself, returned because `%` matched it above a subscribed name (RFC 3501 §6.3.9). */
  readonly isParentOnly: boolean;
}

/** LSUB: subscribed names matching the pattern, plus their unsubscribed parents when it ends in `%`. */
export function selectLsubNames(facts: MailboxFacts, pattern: MailboxPattern): LsubName[] {
  const result: LsubName[] = [];
  for (const name of facts.subscribed) {
    if (pattern.matches(name)) result.push({ name, isParentOnly: false });
  }
  if (pattern.endsWithPercent) {
    for (const name of facts.withSubscribedDescendant) {
      if (!facts.subscribed.has(name) && pattern.matches(name)) result.push({ name, isParentOnly: true });
    }
  }
  return result.sort((a, b) => compareMailboxNames(a.name, b.name));
}

// Mailbox attributes of LIST and LSUB replies: \Noselect/\NonExistent (RFC 9051 §7.3.1, RFC 5258 §3.4),
// \HasChildren/\HasNoChildren (RFC 3348, RFC 5258 §4), \Subscribed (RFC 5258 §3.4) and the special
// uses of RFC 6154 §2, computed once per command from the account's mailboxes and subscriptions.
import { HIERARCHY_DELIMITER, INBOX, parentNames } from "../../mail/mailbox-name.js";

/** What listing needs of one existing mailbox. */
export interface ListableMailbox {
  readonly name: string;
  readonly specialUse: string | null;
}

/** The account's mailbox tree as sets, so each attribute is one lookup (1,000 mailboxes list fast). */
export interface MailboxFacts {
  readonly existing: ReadonlyMap<string, ListableMailbox>;
  readonly subscribed: ReadonlySet<string>;
  /** Names (existing or not) with at least one existing mailbox below them. */
  readonly withChildren: ReadonlySet<string>;
  /** Names with at least one subscribed name below them. */
  readonly withSubscribedDescendant: ReadonlySet<string>;
  /** Names with at least one special-use mailbox below them. */
  readonly withSpecialUseDescendant: ReadonlySet<string>;
}

export function collectMailboxFacts(
  mailboxes: readonly ListableMailbox[],
  subscriptions: readonly string[],
): MailboxFacts {
  const existing = new Map(mailboxes.map((m) => [m.name, m]));
  const withChildren = new Set<string>();
  const withSpecialUseDescendant = new Set<string>();
  for (const mailbox of mailboxes) {
    for (const parent of parentNames(mailbox.name)) {
      withChildren.add(parent);
      if (mailbox.specialUse !== null) withSpecialUseDescendant.add(parent);
    }
  }
  const withSubscribedDescendant = new Set<string>();
  for (const name of subscriptions) {
    for (const parent of parentNames(name)) withSubscribedDescendant.add(parent);
  }
  return {
    existing,
    subscribed: new Set(subscriptions),
    withChildren,
    withSubscribedDescendant,
    withSpecialUseDescendant,
  };
}

/** Which optional attributes a reply carries. */
export interface AttributeOptions {
  /** LIST-EXTENDED syntax was used: \NonExistent instead of \Noselect for missing names (Dovecot). */
  readonly isExtended: boolean;
  readonly includeSubscribed: boolean;
  readonly includeChildren: boolean;
  readonly includeSpecialUse: boolean;
}

/** Attributes in Dovecot's order: \Subscribed, \Noselect, \NonExistent, children, special use. */
export function listAttributes(name: string, facts: MailboxFacts, options: AttributeOptions): string[] {
  const attributes: string[] = [];
  const mailbox = facts.existing.get(name);
  if (options.includeSubscribed && facts.subscribed.has(name)) attributes.push("\\Subscribed");
  if (!mailbox) attributes.push(options.isExtended ? "\\NonExistent" : "\\Noselect");
  if (options.includeChildren) {
    if (facts.withChildren.has(name)) attributes.push("\\HasChildren");
    // A name that does not exist says nothing about children it lacks.
    else if (mailbox) attributes.push("\\HasNoChildren");
  }
  if (options.includeSpecialUse && mailbox?.specialUse) attributes.push(mailbox.specialUse);
  return attributes;
}

/** Listing order: INBOX first, then the hierarchy depth-first, siblings by code point. */
export function compareMailboxNames(a: string, b: string): number {
  const aIsInbox = a === INBOX || a.startsWith(`${INBOX}${HIERARCHY_DELIMITER}`);
  const bIsInbox = b === INBOX || b.startsWith(`${INBOX}${HIERARCHY_DELIMITER}`);
  if (aIsInbox !== bIsInbox) return aIsInbox ? -1 : 1;
  const aLevels = a.split(HIERARCHY_DELIMITER);
  const bLevels = b.split(HIERARCHY_DELIMITER);
  for (let i = 0; i < Math.min(aLevels.length, bLevels.length); i++) {
    const x = aLevels[i] as string;
    const y = bLevels[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return aLevels.length - bLevels.length;
}

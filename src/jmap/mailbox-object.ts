// The Mailbox object (RFC 8621 §2) of a stored mailbox: the last name segment, parent by name, role from
// its SPECIAL-USE attribute (RFC 8457 registry names), counts over its entries as JMAP defines them,
// myRights from the RFC 4314 rights model (mail/access/rights.ts).
import type { EmailId, ThreadId } from "../kit/ids.js";
import { ALL_RIGHTS, mailboxRightsFlags, type RightSet } from "../mail/access/rights.js";
import type { MailboxEntry, MailboxRecord, SpecialUse } from "../store/mail-store.js";

/** The properties that need counting. */
export const COUNT_PROPERTIES = ["totalEmails", "unreadEmails", "totalThreads", "unreadThreads"] as const;

export const MAILBOX_PROPERTIES = [
  "id",
  "name",
  "parentId",
  "role",
  "sortOrder",
  "totalEmails",
  "unreadEmails",
  "totalThreads",
  "unreadThreads",
  "myRights",
  "isSubscribed",
] as const;

const ROLE_OF: Readonly<Record<SpecialUse, string>> = {
  "\\Drafts": "drafts",
  "\\Sent": "sent",
  "\\Trash": "trash",
  "\\Junk": "junk",
  "\\Archive": "archive",
  "\\All": "all",
  "\\Flagged": "flagged",
};

/** The special use a settable role stands for (RFC 8457 names; "inbox" is INBOX's alone). */
export function specialUseOfRole(role: string): SpecialUse | undefined {
  for (const [use, name] of Object.entries(ROLE_OF)) if (name === role) return use as SpecialUse;
  return undefined;
}

export function roleOf(mailbox: MailboxRecord): string | null {
  if (mailbox.name === "INBOX") return "inbox";
  return mailbox.specialUse === null ? null : ROLE_OF[mailbox.specialUse];
}

export interface MailboxCounts {
  readonly totalEmails: number;
  readonly unreadEmails: number;
  readonly totalThreads: number;
  readonly unreadThreads: number;
}

/**
 * Counts by entry list: the lists of an account's JMAP maps are immutable and kept while their mailbox does
 * not change (account-mail-update.ts), so a webmail's Mailbox/get after each change counts only the
 * mailboxes that changed, not 100,000 entries of each.
 */
const countsByEntries = new WeakMap<readonly MailboxEntry[], MailboxCounts>();

/** Counts of an entry list found elsewhere (a build of the account's maps counts every list in one walk). */
export function rememberMailboxCounts(entries: readonly MailboxEntry[], counts: MailboxCounts): void {
  countsByEntries.set(entries, counts);
}

/** RFC 8621 §2: an email counts as unread without $seen and $draft (IMAP \Seen and \Draft). */
export function isUnread(entry: MailboxEntry): boolean {
  return !entry.flags.system.has("\\Seen") && !entry.flags.system.has("\\Draft");
}

/** A mailbox's counts over the entries of the account's maps (kept per entry list). */
export function mailboxCountsOf(entries: readonly MailboxEntry[]): MailboxCounts {
  const known = countsByEntries.get(entries);
  if (known !== undefined) return known;
  // Copies of one message in a mailbox are one Email: counts are over distinct ids.
  const emails = new Set<EmailId>();
  const unreadEmails = new Set<EmailId>();
  const threads = new Set<ThreadId>();
  const unreadThreads = new Set<ThreadId>();
  for (const entry of entries) {
    emails.add(entry.emailId);
    threads.add(entry.threadId);
    if (isUnread(entry)) {
      unreadEmails.add(entry.emailId);
      unreadThreads.add(entry.threadId);
    }
  }
  const counts = {
    totalEmails: emails.size,
    unreadEmails: unreadEmails.size,
    totalThreads: threads.size,
    unreadThreads: unreadThreads.size,
  };
  countsByEntries.set(entries, counts);
  return counts;
}

export function toMailboxObject(
  mailbox: MailboxRecord,
  byName: ReadonlyMap<string, MailboxRecord>,
  counts: MailboxCounts,
  subscriptions: ReadonlySet<string>,
  /** The user's rights in a shared account; undefined on their own (all rights). */
  rights?: RightSet,
): Record<string, unknown> {
  const slash = mailbox.name.lastIndexOf("/");
  const parent = slash < 0 ? undefined : byName.get(mailbox.name.slice(0, slash));
  const isInbox = mailbox.name === "INBOX";
  return {
    id: mailbox.id,
    name: slash < 0 ? mailbox.name : mailbox.name.slice(slash + 1),
    parentId: parent?.id ?? null,
    role: roleOf(mailbox),
    sortOrder: isInbox ? 0 : 10,
    ...counts,
    // The owner has every right on their own mailboxes; a shared one shows the user's (RFC 8621 §2).
    myRights: mailboxRightsFlags(rights ?? ALL_RIGHTS, isInbox),
    isSubscribed: subscriptions.has(mailbox.name),
  };
}

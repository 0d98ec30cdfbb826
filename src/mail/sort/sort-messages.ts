// SORT (RFC 5256 §3, RFC 5957 DISPLAYFROM/DISPLAYTO): orders a mailbox's messages by the per-email keys
// the store keeps (mime/sort-keys.ts). Pure: the caller loads the keys (loadSortKeys) and searches first.
import type { EmailId } from "../../kit/ids.js";
import type { EmailSortKeys, MailboxEntry, MailStore } from "../../store/mail-store.js";

export const SORT_KEYS = [
  "ARRIVAL",
  "CC",
  "DATE",
  "FROM",
  "SIZE",
  "SUBJECT",
  "TO",
  "DISPLAYFROM",
  "DISPLAYTO",
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface SortCriterion {
  readonly key: SortKey;
  /** REVERSE applies to this criterion only (RFC 5256 §3). */
  readonly isReverse: boolean;
}

/** Keys of an email the store no longer knows (purged while a session still shows it): all empty. */
export const EMPTY_SORT_KEYS: EmailSortKeys = {
  sentAtMs: null,
  baseSubject: "",
  isReplyOrForward: false,
  fromMailbox: "",
  toMailbox: "",
  ccMailbox: "",
  displayFrom: "",
  displayTo: "",
  messageId: null,
  references: [],
};

/** The sort keys of these entries' emails, in one store call. */
export function loadSortKeys(
  store: MailStore,
  entries: readonly MailboxEntry[],
): Promise<Map<EmailId, EmailSortKeys>> {
  return store.messages.getSortKeys(entries.map((entry) => entry.emailId));
}

/** RFC 5256 §2.2 sent date: the Date: header, else the internal date. */
export function sentDateOf(entry: MailboxEntry, keys: EmailSortKeys): number {
  return keys.sentAtMs ?? entry.internalDateMs;
}

/**
 * `entries` (in mailbox order) sorted by `criteria`; messages equal under every criterion keep mailbox
 * order, i.e. sequence number order (RFC 5256 §3), whatever REVERSE says.
 */
export function sortMessages(
  entries: readonly MailboxEntry[],
  keys: ReadonlyMap<EmailId, EmailSortKeys>,
  criteria: readonly SortCriterion[],
): MailboxEntry[] {
  // One column of comparable values per criterion, computed once rather than per comparison.
  const columns = criteria.map((criterion) =>
    entries.map((entry) => sortValueOf(entry, keys.get(entry.emailId) ?? EMPTY_SORT_KEYS, criterion.key)),
  );
  const order = entries.map((_, i) => i);
  order.sort((a, b) => {
    for (const [c, criterion] of criteria.entries()) {
      const column = columns[c] as (string | number)[];
      const x = column[a] as string | number;
      const y = column[b] as string | number;
      const compared = typeof x === "number" ? x - (y as number) : compareUtf8(x, y as string);
      if (compared !== 0) return criterion.isReverse ? -compared : compared;
    }
    return a - b;
  });
  return order.map((i) => entries[i] as MailboxEntry);
}

function sortValueOf(entry: MailboxEntry, keys: EmailSortKeys, key: SortKey): string | number {
  switch (key) {
    case "ARRIVAL":
      return entry.internalDateMs;
    case "DATE":
      return sentDateOf(entry, keys);
    case "SIZE":
      return entry.size;
    case "CC":
      return keys.ccMailbox;
    case "FROM":
      return keys.fromMailbox;
    case "TO":
      return keys.toMailbox;
    case "SUBJECT":
      return keys.baseSubject;
    case "DISPLAYFROM":
      return keys.displayFrom;
    case "DISPLAYTO":
      return keys.displayTo;
  }
}

/**
 * Compares folded strings in UTF-8 octet order, as i;ascii-casemap does (RFC 4790 §9.2): UTF-16 code
 * unit order differs only where surrogates meet U+E000..U+FFFF, which is corrected here.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x += x >= 0xe000 ? -0x800 : 0x2000;
      y += y >= 0xe000 ? -0x800 : 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

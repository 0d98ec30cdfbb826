// SORT (RFC 5256 §3, RFC 5957 DISPLAYFROM/DISPLAYTO): orders a mailbox's messages by the per-email keys
// the store keeps (mime/sort-keys.ts). Pure: the caller searches first and loads the keys (sort-key-cache.ts).
import type { EmailId } from "../../kit/ids.js";
import type { EmailSortKeys, MailboxEntry } from "../../store/mail-store.js";

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

/** RFC 5256 §2.2 sent date: the Date: header, else the internal date. */
export function sentDateOf(entry: MailboxEntry, keys: EmailSortKeys): number {
  return keys.sentAtMs ?? entry.internalDateMs;
}

/**
 * `entries` (in mailbox order) sorted by `criteria`; messages equal under every criterion keep mailbox
 * order, i.e. sequence number order (RFC 5256 §3), whatever REVERSE says.
 *
 * Each criterion's values become dense ranks, the criteria fold into one rank, and the final order is
 * one native sort of `rank * n + position` (exact below 2^53, i.e. for up to 90 million messages):
 * no JavaScript comparator runs per pair, which made a 100,000-message SORT several times slower.
 */
export function sortMessages(
  entries: readonly MailboxEntry[],
  keys: ReadonlyMap<EmailId, EmailSortKeys>,
  criteria: readonly SortCriterion[],
): MailboxEntry[] {
  const order = sortedPositions(entries, keys, criteria);
  const sorted = new Array<MailboxEntry>(order.length);
  for (let i = 0; i < order.length; i++) sorted[i] = entries[order[i] as number] as MailboxEntry;
  return sorted;
}

/** As sortMessages, but the 0-based positions in `entries` of the sorted messages. */
export function sortedPositions(
  entries: readonly MailboxEntry[],
  keys: ReadonlyMap<EmailId, EmailSortKeys>,
  criteria: readonly SortCriterion[],
): Uint32Array {
  const n = entries.length;
  let combined: Float64Array | null = null;
  for (const criterion of criteria) {
    const column = entries.map((entry) =>
      sortValueOf(entry, keys.get(entry.emailId) ?? EMPTY_SORT_KEYS, criterion.key),
    );
    const { ranks, count } = denseRanks(column);
    if (criterion.isReverse) for (let i = 0; i < n; i++) ranks[i] = count - 1 - (ranks[i] as number);
    if (combined === null) combined = ranks;
    else {
      const previous: Float64Array = combined;
      for (let i = 0; i < n; i++) ranks[i] = (previous[i] as number) * count + (ranks[i] as number);
      combined = denseRanks(ranks).ranks;
    }
  }
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) packed[i] = (combined === null ? 0 : (combined[i] as number)) * n + i;
  packed.sort();
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = (packed[i] as number) % n;
  return order;
}

/** Each value's rank among the distinct values (0 = smallest), and how many distinct values there are. */
function denseRanks(values: ArrayLike<string | number>): { ranks: Float64Array; count: number } {
  const n = values.length;
  const ranks = new Float64Array(n);
  if (n === 0) return { ranks, count: 0 };
  if (typeof values[0] === "number") {
    const numbers = Float64Array.from(values as ArrayLike<number>);
    const distinct = numbers.slice().sort();
    let count = 0;
    for (let i = 0; i < n; i++)
      if (i === 0 || distinct[i] !== distinct[count - 1]) distinct[count++] = distinct[i] as number;
    for (let i = 0; i < n; i++) ranks[i] = lowerBound(distinct, count, numbers[i] as number);
    return { ranks, count };
  }
  const strings = values as ArrayLike<string>;
  const distinct = [...new Set(Array.from(strings))];
  // The default sort compares UTF-16 code units: the same as UTF-8 octets unless surrogates meet
  // U+E000..U+FFFF, and much faster than a comparator.
  if (distinct.some((text) => SURROGATE_OR_ABOVE.test(text))) distinct.sort(compareUtf8);
  else distinct.sort();
  const rankOf = new Map<string, number>();
  for (const [rank, text] of distinct.entries()) rankOf.set(text, rank);
  for (let i = 0; i < n; i++) ranks[i] = rankOf.get(strings[i] as string) as number;
  return { ranks, count: distinct.length };
}

const SURROGATE_OR_ABOVE = /[\uD800-\uFFFF]/;

/** Index of `value` in the first `length` (ascending, distinct) elements of `sorted`. */
function lowerBound(sorted: Float64Array, length: number, value: number): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as number) < value) low = mid + 1;
    else high = mid;
  }
  return low;
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
 * Compares folded strings in UTF-8 octet order, as i;unicode-casemap does (RFC 5051): UTF-16 code
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

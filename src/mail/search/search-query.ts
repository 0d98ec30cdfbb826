// The protocol-independent search query (ARCHITECTURE.md "search/"): one AST that IMAP SEARCH
// (RFC 9051 §6.4.4), JMAP Email/query (RFC 8621 §4.4) and the CLI translate into, and search-mailbox.ts evaluates.
import type { EmailId, ModSeq, ThreadId, Uid } from "../../kit/ids.js";
import type { EmailTextField, SystemFlag } from "../../store/mail-store.js";

/** Which date of a message a date leaf compares. */
export type SearchDateField = "internal" | "sent" | "saved";

/** An inclusive UID range; a leaf's ranges are sorted, disjoint and not adjacent. */
export interface UidRange {
  readonly from: Uid;
  readonly to: Uid;
}

/**
 * A search over one mailbox. Text leaves are case-insensitive substring matches of decoded text.
 * Date leaves are absolute instants: a message matches when its date is in [sinceMs, beforeMs), null
 * meaning unbounded. Protocols turn day-granular dates into ranges with `utcDayRange` (see there).
 * Protocol-only notions (IMAP \Recent, sequence numbers, `$`) become `uids` leaves in the protocol.
 */
export type SearchQuery =
  | { readonly kind: "all" }
  | { readonly kind: "and"; readonly queries: readonly SearchQuery[] }
  | { readonly kind: "or"; readonly queries: readonly SearchQuery[] }
  | { readonly kind: "not"; readonly query: SearchQuery }
  | { readonly kind: "flag"; readonly flag: SystemFlag }
  /** Keywords compare case-insensitively (RFC 9051 §2.3.2). */
  | { readonly kind: "keyword"; readonly keyword: string }
  | { readonly kind: "text"; readonly field: EmailTextField; readonly value: string }
  /** A header field of the top-level header named `name` (any case) whose decoded value contains `value`; "" = has the field. */
  | { readonly kind: "header"; readonly name: string; readonly value: string }
  | {
      readonly kind: "date";
      readonly field: SearchDateField;
      readonly sinceMs: number | null;
      readonly beforeMs: number | null;
    }
  /** The message has an attachment (the JMAP Email property hasAttachment, RFC 8621 §4.4.1). */
  | { readonly kind: "hasAttachment" }
  /** RFC822.SIZE strictly larger (`isLarger`) or strictly smaller than `bytes`. */
  | { readonly kind: "size"; readonly isLarger: boolean; readonly bytes: number }
  | { readonly kind: "uids"; readonly ranges: readonly UidRange[] }
  | { readonly kind: "emailId"; readonly id: EmailId }
  | { readonly kind: "threadId"; readonly id: ThreadId }
  /** Entries whose last change has a modseq of at least `atLeast` (RFC 7162 §3.1.5). */
  | { readonly kind: "modSeq"; readonly atLeast: ModSeq };

export const MS_PER_DAY = 86_400_000;

/**
 * The instants of a calendar day. The timezone rule: IMAP compares dates "disregarding time and
 * timezone" (RFC 9051 §6.4.4); we take every day as a UTC day, for INTERNALDATE, SAVEDATE and the
 * Date: header alike, because the store keeps instants and not the header's own offset. Dovecot
 * differs: it uses the server's local day for INTERNALDATE and the Date: header's own day for SENT*,
 * so a message sent at 23:30 -0500 may fall on the next day here.
 */
export function utcDayRange(year: number, month: number, day: number): { startMs: number; endMs: number } {
  const startMs = Date.UTC(year, month - 1, day);
  return { startMs, endMs: startMs + MS_PER_DAY };
}

/** Sorted, merged ranges of a list of UIDs in any order. */
export function uidRanges(uids: Iterable<Uid>): UidRange[] {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const ranges: UidRange[] = [];
  for (const uid of sorted) {
    const last = ranges.at(-1);
    if (last && uid === last.to + 1) ranges[ranges.length - 1] = { from: last.from, to: uid };
    else ranges.push({ from: uid, to: uid });
  }
  return ranges;
}

/** Whether a UID lies in sorted ranges (binary search). */
export function isUidInRanges(uid: Uid, ranges: readonly UidRange[]): boolean {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const range = ranges[mid] as UidRange;
    if (uid < range.from) high = mid - 1;
    else if (uid > range.to) low = mid + 1;
    else return true;
  }
  return false;
}

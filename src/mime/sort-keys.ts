// What SORT (RFC 5256 §3, RFC 5957 DISPLAYFROM/DISPLAYTO) and THREAD (RFC 5256 §3 REFERENCES,
// ORDEREDSUBJECT) need of one message, computed once from its MessageIndex when it is stored.
import { baseSubject, foldForCollation } from "./base-subject.js";
import type { IndexedAddress, IndexedAddressEntry, MessageIndex } from "./message-index.js";

/** Per-message sort and thread keys; strings are already folded for i;unicode-casemap (foldForCollation). */
export interface MessageSortKeys {
  /** The Date: header in epoch ms; null when missing or unparseable (the internal date is used then). */
  readonly sentAtMs: number | null;
  /** RFC 5256 §2.1 base subject. */
  readonly baseSubject: string;
  /** The subject had reply/forward markers (RFC 5256 §3 REFERENCES step 5). */
  readonly isReplyOrForward: boolean;
  /** addr-mailbox (the local part) of the first From, To and Cc address; "" when there is none. */
  readonly fromMailbox: string;
  readonly toMailbox: string;
  readonly ccMailbox: string;
  /** RFC 5957 §3: the first From/To address's display name, else its `mailbox@host`; "" when none. */
  readonly displayFrom: string;
  readonly displayTo: string;
  readonly messageId: string | null;
  /**
   * RFC 5256 §3 REFERENCES step 1.A: the References ids, oldest first, or else the first In-Reply-To id.
   */
  readonly references: readonly string[];
}

export function sortKeysOf(index: MessageIndex): MessageSortKeys {
  const { headers } = index;
  const subject = baseSubject(headers.subject);
  const from = firstAddress(headers.from);
  const to = firstAddress(headers.to);
  return {
    sentAtMs: headers.sentAtMs,
    baseSubject: subject.key,
    isReplyOrForward: subject.isReplyOrForward,
    fromMailbox: mailboxOf(from),
    toMailbox: mailboxOf(to),
    ccMailbox: mailboxOf(firstAddress(headers.cc)),
    displayFrom: displayOf(from),
    displayTo: displayOf(to),
    messageId: headers.messageId,
    references: headers.references.length > 0 ? headers.references : headers.inReplyTo.slice(0, 1),
  };
}

/** The first real address, looking into groups (RFC 5322 §3.4). */
function firstAddress(entries: readonly IndexedAddressEntry[]): IndexedAddress | null {
  for (const entry of entries) {
    if ("group" in entry) {
      const member = entry.members[0];
      if (member) return member;
    } else return entry;
  }
  return null;
}

function mailboxOf(address: IndexedAddress | null): string {
  if (!address) return "";
  const at = address.address.lastIndexOf("@");
  return foldForCollation(at < 0 ? address.address : address.address.slice(0, at));
}

function displayOf(address: IndexedAddress | null): string {
  if (!address) return "";
  const name = address.name?.trim() ?? "";
  return foldForCollation(name !== "" ? name : address.address);
}

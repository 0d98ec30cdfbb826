// THREAD=ORDEREDSUBJECT (RFC 5256 §3): messages grouped by base subject; in each group the earliest is
// the parent and every other message its child; threads ordered by their first message's sent date.
import type { EmailId } from "../../kit/ids.js";
import type { EmailSortKeys, MailboxEntry } from "../../store/mail-store.js";
import { EMPTY_SORT_KEYS, sentDateOf, sortedPositions } from "../sort/sort-messages.js";
import type { ThreadNode } from "./thread-tree.js";

export function threadByOrderedSubject(
  entries: readonly MailboxEntry[],
  keys: ReadonlyMap<EmailId, EmailSortKeys>,
): ThreadNode[] {
  const keysOf = (entry: MailboxEntry) => keys.get(entry.emailId) ?? EMPTY_SORT_KEYS;
  // By (subject, date, sequence): each subject's messages are one run, earliest first.
  const order = sortedPositions(entries, keys, [
    { key: "SUBJECT", isReverse: false },
    { key: "DATE", isReverse: false },
  ]);
  const subjects = Array.from(order, (seq) => keysOf(entries[seq] as MailboxEntry).baseSubject);
  const threads: { date: number; seq: number; node: ThreadNode }[] = [];
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && subjects[end] === subjects[start]) end++;
    const seq = order[start] as number;
    const first = entries[seq] as MailboxEntry;
    const children: ThreadNode[] = [];
    for (let i = start + 1; i < end; i++)
      children.push({ entry: entries[order[i] as number] as MailboxEntry, children: [] });
    threads.push({ date: sentDateOf(first, keysOf(first)), seq, node: { entry: first, children } });
    start = end;
  }
  threads.sort((a, b) => a.date - b.date || a.seq - b.seq);
  return threads.map((thread) => thread.node);
}

// THREAD=ORDEREDSUBJECT (RFC 5256 §3): messages grouped by base subject; in each group the earliest is
// the parent and every other message its child; threads ordered by their first message's sent date.
import type { EmailId } from "../../kit/ids.js";
import type { EmailSortKeys, MailboxEntry } from "../../store/mail-store.js";
import { compareUtf8, EMPTY_SORT_KEYS, sentDateOf } from "../sort/sort-messages.js";
import type { ThreadNode } from "./thread-tree.js";

export function threadByOrderedSubject(
  entries: readonly MailboxEntry[],
  keys: ReadonlyMap<EmailId, EmailSortKeys>,
): ThreadNode[] {
  const items = entries.map((entry, seq) => {
    const k = keys.get(entry.emailId) ?? EMPTY_SORT_KEYS;
    return { entry, seq, subject: k.baseSubject, date: sentDateOf(entry, k) };
  });
  // Sorted by (subject, date, sequence): each subject's messages are one run, earliest first.
  items.sort((a, b) => compareUtf8(a.subject, b.subject) || a.date - b.date || a.seq - b.seq);
  const threads: { first: (typeof items)[number]; node: ThreadNode }[] = [];
  for (let start = 0; start < items.length; ) {
    let end = start + 1;
    while (end < items.length && items[end]?.subject === items[start]?.subject) end++;
    const first = items[start] as (typeof items)[number];
    const children = items.slice(start + 1, end).map((item) => ({ entry: item.entry, children: [] }));
    threads.push({ first, node: { entry: first.entry, children } });
    start = end;
  }
  threads.sort((a, b) => a.first.date - b.first.date || a.first.seq - b.first.seq);
  return threads.map((thread) => thread.node);
}

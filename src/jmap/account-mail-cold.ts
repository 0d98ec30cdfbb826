// The first calls on an account whose JMAP maps (account-mail.ts) are not built yet — a webmail's login
// right after a server start: Mailbox/get's counts, the first window of one mailbox by date (Email/query),
// and the Emails and Threads in it (Email/get, Thread/get) answered from the store's own queries, without
// reading every entry of the account. Each answer is the one the maps would give (the same counts, the same
// receivedAt — the earliest date of an Email's copies —, the same order and collapse), so a client paging
// on with the maps sees one list. What the maps answer faster (anything else) waits for them.
import type { EmailId, MailboxId, ModSeq, ThreadId } from "../kit/ids.js";
import type { SnapshotCache } from "../mail/view/snapshot-cache.js";
import type { MailboxEmailCounts, MailboxEntry, MailboxRecord } from "../store/mail-store.js";
import { receivedAtOf } from "./account-mail-update.js";
import type { JmapContext } from "./jmap-context.js";
import type { MailboxCounts } from "./mailbox-object.js";

/** Counts the store made, by mailbox, with the state of the mailbox they count. */
const countsBySnapshots = new WeakMap<
  SnapshotCache,
  Map<
    MailboxId,
    { readonly uidValidity: number; readonly modSeq: ModSeq; readonly counts: MailboxEmailCounts }
  >
>();
/** How many mailboxes' counts one process keeps (they matter only until the maps are built). */
const MAX_COUNTED_MAILBOXES = 1000;

/**
 * The store's counts of a mailbox in the state its record names (a mailbox's highest modseq moves with any
 * change in it): Mailbox/get counts INBOX, and the first window's total is the same count again.
 */
export async function countEmailsCold(ctx: JmapContext, mailbox: MailboxRecord): Promise<MailboxEmailCounts> {
  let cache = countsBySnapshots.get(ctx.services.snapshots);
  if (cache === undefined) {
    cache = new Map();
    countsBySnapshots.set(ctx.services.snapshots, cache);
  }
  const known = cache.get(mailbox.id);
  if (known?.uidValidity === mailbox.uidValidity && known.modSeq === mailbox.highestModSeq)
    return known.counts;
  const counts = await ctx.services.store.messages.countEmails(mailbox.id);
  if (cache.size >= MAX_COUNTED_MAILBOXES) cache.clear();
  cache.set(mailbox.id, { uidValidity: mailbox.uidValidity, modSeq: mailbox.highestModSeq, counts });
  return counts;
}

/** Mailbox/get's counts of each mailbox, counted by the store. */
export async function countMailboxesCold(
  ctx: JmapContext,
  mailboxes: readonly MailboxRecord[],
): Promise<Map<MailboxId, MailboxCounts>> {
  const counts = new Map<MailboxId, MailboxCounts>();
  for (const mailbox of mailboxes) {
    const { emails, unreadEmails, threads, unreadThreads } = await countEmailsCold(ctx, mailbox);
    counts.set(mailbox.id, {
      totalEmails: emails,
      unreadEmails,
      totalThreads: threads,
      unreadThreads,
    });
  }
  return counts;
}

/** The deepest window (position + limit) answered without the maps; deeper ones read every entry anyway. */
export const MAX_COLD_WINDOW = 1000;
/** Past this many entries read by date, the maps are built instead (a mailbox of few, very long threads). */
const MAX_COLD_ROWS = 20_000;

/**
 * The first `count` Email ids of `mailboxId` newest first (receivedAt descending, then id), one per Thread
 * when collapsed, or null when that takes more than MAX_COLD_ROWS entries. Reads the mailbox's entries by
 * internal date, newest first, and each one's copies elsewhere (an earlier copy makes an Email older):
 * every Email not read yet has a receivedAt no later than the last entry read, so the Emails read that sort
 * before that entry are in their final order, and so are the Threads whose first Email is one of them.
 */
export async function newestEmailsCold(
  ctx: JmapContext,
  mailboxes: readonly MailboxRecord[],
  mailboxId: MailboxId,
  count: number,
  collapseThreads: boolean,
): Promise<EmailId[] | null> {
  const { store } = ctx.services;
  for (let rows = count * 2 + 50; rows <= MAX_COLD_ROWS * 4; rows *= 4) {
    const limit = Math.min(rows, MAX_COLD_ROWS);
    const newest = await store.messages.listNewestEntries(mailboxId, limit);
    const isAll = newest.length < limit;
    const copies = await copiesOf(ctx, mailboxes, [...new Set(newest.map((e) => e.emailId))]);
    const last = newest.at(-1);
    const emails = [...copies]
      .map(([id, entries]) => ({ id, entries, receivedAt: receivedAtOf(entries) }))
      .sort((a, b) => b.receivedAt - a.receivedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const found: EmailId[] = [];
    const threads = new Set<ThreadId>();
    for (const email of emails) {
      // Sorts after the last entry read: an Email not read yet may come before it.
      if (
        !isAll &&
        last !== undefined &&
        (email.receivedAt < last.internalDateMs ||
          (email.receivedAt === last.internalDateMs && email.id > last.emailId))
      ) {
        break;
      }
      const threadId = (email.entries[0] as MailboxEntry).threadId;
      if (collapseThreads && threads.has(threadId)) continue;
      threads.add(threadId);
      found.push(email.id);
    }
    if (found.length >= count || isAll) return found.slice(0, count);
    if (limit === MAX_COLD_ROWS) return null;
  }
  return null;
}

/**
 * Every copy of each of these Emails, in the order the maps list them (the account's mailbox list, then
 * UID); Emails without any are left out.
 */
export async function copiesOf(
  ctx: JmapContext,
  mailboxes: readonly MailboxRecord[],
  emailIds: readonly EmailId[],
): Promise<Map<EmailId, MailboxEntry[]>> {
  return groupCopies(
    mailboxes,
    await ctx.services.store.messages.listEntriesOfEmails(ctx.account.id, emailIds),
  );
}

/** Each Thread's Emails, oldest first (RFC 8621 §3), as the maps list them; Threads without any are left out. */
export async function threadEmailsCold(
  ctx: JmapContext,
  mailboxes: readonly MailboxRecord[],
  threadIds: readonly ThreadId[],
): Promise<Map<ThreadId, EmailId[]>> {
  const copies = groupCopies(
    mailboxes,
    await ctx.services.store.messages.listEntriesOfThreads(ctx.account.id, threadIds),
  );
  const byThread = new Map<ThreadId, { id: EmailId; receivedAt: number }[]>();
  for (const [id, entries] of copies) {
    const threadId = (entries[0] as MailboxEntry).threadId;
    const list = byThread.get(threadId) ?? [];
    list.push({ id, receivedAt: receivedAtOf(entries) });
    byThread.set(threadId, list);
  }
  const threads = new Map<ThreadId, EmailId[]>();
  for (const [threadId, list] of byThread) {
    list.sort((a, b) => a.receivedAt - b.receivedAt || (a.id < b.id ? -1 : 1));
    threads.set(
      threadId,
      list.map((e) => e.id),
    );
  }
  return threads;
}

/** Entries grouped by Email, each group in mailbox list order then UID; entries of other mailboxes dropped. */
function groupCopies(
  mailboxes: readonly MailboxRecord[],
  entries: readonly MailboxEntry[],
): Map<EmailId, MailboxEntry[]> {
  const order = new Map(mailboxes.map((m, i) => [m.id, i]));
  const sorted = entries
    .filter((e) => order.has(e.mailboxId))
    .sort((a, b) => (order.get(a.mailboxId) as number) - (order.get(b.mailboxId) as number) || a.uid - b.uid);
  const copies = new Map<EmailId, MailboxEntry[]>();
  for (const entry of sorted) {
    const list = copies.get(entry.emailId);
    if (list === undefined) copies.set(entry.emailId, [entry]);
    else list.push(entry);
  }
  return copies;
}

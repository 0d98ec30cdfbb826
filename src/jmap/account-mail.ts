// The account's mail as JMAP sees it: Emails are the distinct EmailIds across every mailbox entry, with the
// mailboxes they are in; Threads group them by ThreadId. Each mailbox's entries are read once from the
// entries table alone (without the emails' blobs, which JMAP never reads through an entry) and then kept
// current from the change log, and the maps are kept, per account, until the account's change counter
// moves: a webmail's stream of Email/get, Email/query and Mailbox/get calls on an unchanged account of
// 100,000 messages costs a lookup, not a rebuild of every map; after a change the maps are updated by what
// changed (account-mail-update.ts) and query results travel on with it, to be kept or patched by
// Email/query. In a shared account, only the mailboxes shared with the user, and entries only of those
// they may read.
import type { AccountId, EmailId, MailboxId, ModSeq, ThreadId, Uid } from "../kit/ids.js";
import { applyChanges, type SnapshotCache } from "../mail/view/snapshot-cache.js";
import type { MailboxEntry, MailboxRecord } from "../store/mail-store.js";
import { receivedAtOf, updateAccountMail } from "./account-mail-update.js";
import type { JmapContext } from "./jmap-context.js";
import { isUnread, rememberMailboxCounts } from "./mailbox-object.js";
import { canReadItems, isVisibleMailbox } from "./shared-accounts.js";

export interface AccountMail {
  readonly mailboxes: readonly MailboxRecord[];
  readonly entriesByMailbox: ReadonlyMap<MailboxId, readonly MailboxEntry[]>;
  /**
   * Every entry of each email, in mailbox list order. An email's receivedAt is receivedAtOf its entries,
   * computed where it is needed rather than kept in a third map of 100,000 keys (one copy, usually).
   */
  readonly entriesByEmail: ReadonlyMap<EmailId, readonly MailboxEntry[]>;
  /** Email ids of each thread, oldest receivedAt first (RFC 8621 §3). */
  readonly emailsByThread: ReadonlyMap<ThreadId, readonly EmailId[]>;
  /**
   * Results of queries over exactly this state of the account, by a key the query builds (email-query.ts),
   * so paging through one query's results does not run it again. Bounded: MAX_QUERY_RESULTS.
   */
  readonly queryResults: Map<string, readonly EmailId[]>;
  /**
   * Results of queries over an earlier state, by the same key, with what changed since: Email/query keeps
   * one that no change can have touched, or patches it, instead of running the query again.
   */
  readonly carriedResults: ReadonlyMap<
    string,
    { readonly ids: readonly EmailId[]; readonly delta: QueryDelta }
  >;
}

/** What changed between two states of an account's mail, as a query result needs it. */
export interface QueryDelta {
  /** Each Thread with a changed Email: true when only keywords changed in it. */
  readonly changedThreads: ReadonlyMap<ThreadId, boolean>;
  /** The Thread of each changed Email (also of those gone now). */
  readonly threadOfChanged: ReadonlyMap<EmailId, ThreadId>;
}

/** How many accounts' mail one process keeps built (least recently used first out). */
const MAX_CACHED_ACCOUNTS = 32;
/** How many query results one account state keeps. */
export const MAX_QUERY_RESULTS = 8;

interface CachedAccountMail {
  /** The account's highest modseq when the mail was built: any later change moves it. */
  readonly modSeq: ModSeq;
  readonly mail: AccountMail;
  /** How far each readable mailbox's entries in `mail` go. */
  readonly seen: ReadonlyMap<MailboxId, EntriesSeen>;
}

/** A mailbox's entries hold every change up to `seenModSeq` (and maybe later ones) of this UIDVALIDITY. */
interface EntriesSeen {
  readonly uidValidity: number;
  readonly seenModSeq: ModSeq;
}

/** One process's cache, by snapshot cache: the mail services (tests run several servers in one process). */

const cachesBySnapshots = new WeakMap<SnapshotCache, Map<string, CachedAccountMail>>();
/** Builds in progress, by the same key, with the state each builds. */
const pendingBySnapshots = new WeakMap<
  SnapshotCache,
  Map<string, { readonly modSeq: ModSeq; readonly mail: Promise<AccountMail>; readonly isFirst: boolean }>
>();

/** What the maps of the context's user are keyed by, with the mailboxes they cover. */
async function accountMailKey(ctx: JmapContext): Promise<{
  readonly key: string;
  readonly modSeq: ModSeq;
  readonly mailboxes: readonly MailboxRecord[];
  readonly readable: ReadonlySet<MailboxId>;
}> {
  const { store } = ctx.services;
  const accountId = ctx.account.id;
  // Read before the entries, so a change made meanwhile makes the next call rebuild rather than be missed.
  const modSeq = ((await store.accounts.get(accountId)) ?? ctx.account).highestModSeq;
  const mailboxes = (await store.mailboxes.list(accountId)).filter((m) => isVisibleMailbox(ctx, m.id));
  // In a shared account, the emails of a mailbox the user may list but not read stay hidden; the key
  // names what is visible, so users who see different parts of one account do not share a build.
  const readable = new Set(mailboxes.filter((m) => canReadItems(ctx, m.id)).map((m) => m.id));
  // Sorted by id, so a rename (which may reorder the list) keeps the build, to be updated.
  const visible = mailboxes.map((m) => (readable.has(m.id) ? m.id : `-${m.id}`)).sort();
  return { key: `${accountId}:${visible.join(",")}`, modSeq, mailboxes, readable };
}

/**
 * The user's own account's mailboxes when its maps have not been built in this process (the first calls
 * after a server start), else null. account-mail-cold.ts answers the first window of a mailbox from the
 * store then, and asks for the build once those calls are done (scheduleAccountMailBuild).
 */
export async function coldAccountMailboxes(ctx: JmapContext): Promise<readonly MailboxRecord[] | null> {
  if (ctx.shared !== undefined) return null;
  const { key, mailboxes } = await accountMailKey(ctx);
  // Maps being built or updated (after a change) are waited for: an update costs less than the store's counts.
  const { snapshots } = ctx.services;
  // A first build in progress (read in slices) leaves the store to answer meanwhile.
  const isKnown =
    cachesBySnapshots.get(snapshots)?.has(key) ||
    pendingBySnapshots.get(snapshots)?.get(key)?.isFirst === false;
  return isKnown === true ? null : mailboxes;
}

/** How long after a call answered without the maps their build starts, unless another such call comes. */
const COLD_BUILD_DELAY_MS = 300;
/** Builds asked for, by snapshot cache (a server's services) and account. */
const scheduledBuilds = new WeakMap<SnapshotCache, Map<AccountId, ReturnType<typeof setTimeout>>>();

/**
 * Builds the account's maps a little later, off the path of the calls a client makes right after login
 * (each call answered from the store moves the build on), so that the next click finds them built.
 */
export function scheduleAccountMailBuild(ctx: JmapContext): void {
  const { snapshots } = ctx.services;
  let timers = scheduledBuilds.get(snapshots);
  if (timers === undefined) {
    timers = new Map();
    scheduledBuilds.set(snapshots, timers);
  }
  const accountId = ctx.account.id;
  clearTimeout(timers.get(accountId));
  const timer = setTimeout(() => {
    timers.delete(accountId);
    // A failure here (a server stopping meanwhile) is the next call's to see and report.
    loadAccountMail(ctx).catch(() => undefined);
  }, COLD_BUILD_DELAY_MS);
  timer.unref();
  timers.set(accountId, timer);
}

export async function loadAccountMail(ctx: JmapContext): Promise<AccountMail> {
  const { snapshots } = ctx.services;
  const { key, modSeq, mailboxes, readable } = await accountMailKey(ctx);
  let cache = cachesBySnapshots.get(snapshots);
  if (cache === undefined) {
    cache = new Map();
    cachesBySnapshots.set(snapshots, cache);
  }
  const cached = cache.get(key);
  cache.delete(key);
  if (cached !== undefined && cached.modSeq === modSeq) {
    cache.set(key, cached);
    // The mailbox records are read fresh (subscription state does not move the change counter).
    return { ...cached.mail, mailboxes };
  }
  // Requests that arrive while this state is being built (a client's calls sent side by side, right after
  // a server start) wait for that build instead of reading 100,000 entries once more each.
  let pending = pendingBySnapshots.get(snapshots);
  if (pending === undefined) {
    pending = new Map();
    pendingBySnapshots.set(snapshots, pending);
  }
  const building = pending.get(key);
  if (building !== undefined && building.modSeq === modSeq) return { ...(await building.mail), mailboxes };
  const build = (async (): Promise<AccountMail> => {
    const { entriesByMailbox, seen } = await readEntries(ctx, mailboxes, readable, cached);
    const mail =
      (cached !== undefined ? updateAccountMail(cached.mail, mailboxes, entriesByMailbox) : null) ??
      (await buildAccountMail(mailboxes, entriesByMailbox));
    cache.set(key, { modSeq, mail, seen });
    while (cache.size > MAX_CACHED_ACCOUNTS) cache.delete(cache.keys().next().value as string);
    return mail;
  })();
  pending.set(key, { modSeq, mail: build, isFirst: cached === undefined });
  try {
    return await build;
  } finally {
    if (pending.get(key)?.mail === build) pending.delete(key);
  }
}

/**
 * Each mailbox's entries now. A mailbox whose highest modseq has not moved keeps its list; one that moved
 * takes the changes since from the change log (unchanged entries stay the same objects, which is how
 * account-mail-update.ts finds what changed); one not read before, as at the first call after a server
 * start, is read from the entries table without the emails' blobs: at 100,000 entries that costs about a
 * third of an IMAP snapshot's read, which joins every entry with its email for the blob a FETCH needs.
 * The mailbox records were read before, so each list holds at least every change up to its record's modseq.
 */
async function readEntries(
  ctx: JmapContext,
  mailboxes: readonly MailboxRecord[],
  readable: ReadonlySet<MailboxId>,
  cached: CachedAccountMail | undefined,
): Promise<Pick<CachedAccountMail, "seen"> & { entriesByMailbox: Map<MailboxId, readonly MailboxEntry[]> }> {
  const { store } = ctx.services;
  const entriesByMailbox = new Map<MailboxId, readonly MailboxEntry[]>();
  const seen = new Map<MailboxId, EntriesSeen>();
  for (const mailbox of mailboxes) {
    if (!readable.has(mailbox.id)) {
      entriesByMailbox.set(mailbox.id, []);
      continue;
    }
    const { uidValidity } = mailbox;
    const before = cached?.mail.entriesByMailbox.get(mailbox.id);
    const was = cached?.seen.get(mailbox.id);
    let entries: readonly MailboxEntry[];
    let seenModSeq = mailbox.highestModSeq;
    if (before === undefined || was === undefined || was.uidValidity !== uidValidity) {
      // A mailbox deleted since the list simply has no entries now.
      entries = await readAllEntries(ctx, mailbox.id);
    } else if (was.seenModSeq >= mailbox.highestModSeq) {
      entries = before;
      seenModSeq = was.seenModSeq;
    } else {
      const changes = await store.changes.mailboxChangesSince(mailbox.id, uidValidity, was.seenModSeq);
      // The old list stays as it was: a request still running on the old maps keeps a consistent view.
      entries = changes.isGone ? [] : applyChanges(before.slice(), changes);
      seenModSeq = changes.highestModSeq;
    }
    entriesByMailbox.set(mailbox.id, entries);
    seen.set(mailbox.id, { uidValidity, seenModSeq });
  }
  return { entriesByMailbox, seen };
}

/**
 * How many entries a build reads or walks between two turns of the event loop: a first build of 100,000
 * entries, started after the first calls of a login (scheduleAccountMailBuild), would otherwise hold every
 * other request (the user's next click) for its whole read and walk.
 */
const SLICE_ENTRIES = 5000;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Every entry of a mailbox read for the first time, in slices of SLICE_ENTRIES by UID. */
async function readAllEntries(ctx: JmapContext, mailboxId: MailboxId): Promise<MailboxEntry[]> {
  const entries: MailboxEntry[] = [];
  for (;;) {
    const afterUid = entries.at(-1)?.uid ?? (0 as Uid);
    const slice = await ctx.services.store.messages.listEntriesWithoutBlobs(
      mailboxId,
      afterUid,
      SLICE_ENTRIES,
    );
    for (const entry of slice) entries.push(entry);
    if (slice.length < SLICE_ENTRIES) return entries;
    await yieldToEventLoop();
  }
}

/**
 * The maps of an account read for the first time (after a server start): one walk over the entries makes
 * each email's copies, each thread's emails and every mailbox's Mailbox/get counts. At 100,000 entries the
 * walk's allocations (and the garbage collection they cost) are most of the first open's server time, so
 * it allocates a list per email and per thread and nothing else per entry.
 */
async function buildAccountMail(
  mailboxes: readonly MailboxRecord[],
  entriesByMailbox: ReadonlyMap<MailboxId, readonly MailboxEntry[]>,
): Promise<AccountMail> {
  const entriesByEmail = new Map<EmailId, MailboxEntry[]>();
  const threads = new Map<ThreadId, EmailId[]>();
  // Per thread, the mailbox (its position in the walk) it was last counted in, times two, plus one when it
  // was counted as unread there too: every entry of a mailbox comes before the next mailbox's, so this
  // tells a thread's first email in a mailbox from a later one without a set of threads per mailbox.
  const threadCounted = new Map<ThreadId, number>();
  // Threads whose emails did not come in receivedAt order: only these are sorted at the end.
  const unsorted = new Set<ThreadId>();
  let position = 0;
  let walked = 0;
  for (const mailbox of mailboxes) {
    const entries = entriesByMailbox.get(mailbox.id) ?? [];
    let totalEmails = 0;
    let unreadEmails = 0;
    let totalThreads = 0;
    let unreadThreads = 0;
    for (const entry of entries) {
      if (++walked % SLICE_ENTRIES === 0) await yieldToEventLoop();
      const { emailId, threadId } = entry;
      const unread = isUnread(entry);
      const copies = entriesByEmail.get(emailId);
      if (copies === undefined) {
        entriesByEmail.set(emailId, [entry]);
        totalEmails++;
        if (unread) unreadEmails++;
        const members = threads.get(threadId);
        if (members === undefined) threads.set(threadId, [emailId]);
        else {
          const last = members[members.length - 1] as EmailId;
          if (!isBefore(receivedAtOf(entriesByEmail.get(last)), last, entry.internalDateMs, emailId))
            unsorted.add(threadId);
          members.push(emailId);
        }
      } else {
        // Another copy: an email counts once per mailbox, and as unread once per mailbox.
        let isInMailbox = false;
        let isUnreadInMailbox = false;
        for (const copy of copies) {
          if (copy.mailboxId !== mailbox.id) continue;
          isInMailbox = true;
          if (isUnread(copy)) isUnreadInMailbox = true;
        }
        if (!isInMailbox) totalEmails++;
        if (unread && !isUnreadInMailbox) unreadEmails++;
        // An earlier copy makes the email older: its thread's order may change.
        if (entry.internalDateMs < receivedAtOf(copies)) unsorted.add(threadId);
        copies.push(entry);
      }
      const counted = threadCounted.get(threadId);
      if (counted === undefined || counted >> 1 !== position) {
        totalThreads++;
        if (unread) unreadThreads++;
        threadCounted.set(threadId, (position << 1) | (unread ? 1 : 0));
      } else if (unread && (counted & 1) === 0) {
        unreadThreads++;
        threadCounted.set(threadId, counted | 1);
      }
    }
    rememberMailboxCounts(entries, { totalEmails, unreadEmails, totalThreads, unreadThreads });
    position++;
  }
  for (const threadId of unsorted) sortThread(threads.get(threadId) as EmailId[], entriesByEmail);
  return {
    mailboxes,
    entriesByMailbox,
    entriesByEmail,
    emailsByThread: threads,
    queryResults: new Map(),
    carriedResults: new Map(),
  };
}

/** Sorts a thread's emails in place, oldest first (then by id), each receivedAt looked up once. */
function sortThread(list: EmailId[], entriesByEmail: ReadonlyMap<EmailId, readonly MailboxEntry[]>): void {
  const atMs = Float64Array.from(list, (id) => receivedAtOf(entriesByEmail.get(id)));
  const order = Array.from(list, (_, i) => i).sort(
    (i, j) =>
      (atMs[i] as number) - (atMs[j] as number) || ((list[i] as EmailId) < (list[j] as EmailId) ? -1 : 1),
  );
  const sorted = order.map((i) => list[i] as EmailId);
  for (let i = 0; i < sorted.length; i++) list[i] = sorted[i] as EmailId;
}

/** Whether an email (its receivedAt, then its id) comes before another in a thread (RFC 8621 §3). */
function isBefore(atMs: number, id: EmailId, otherAtMs: number, otherId: EmailId): boolean {
  return atMs < otherAtMs || (atMs === otherAtMs && id < otherId);
}

/**
 * Whether the user may read an email of the context's account: always in their own; in a shared one, when
 * it has a copy in a mailbox they may read (the same view Email/get has), so blob ids of other emails of
 * the owner name nothing.
 */
export async function canReadEmail(ctx: JmapContext, emailId: EmailId): Promise<boolean> {
  return ctx.shared === undefined || (await loadAccountMail(ctx)).entriesByEmail.has(emailId);
}

export { receivedAtOf };

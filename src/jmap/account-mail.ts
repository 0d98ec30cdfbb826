// The account's mail as JMAP sees it: Emails are the distinct EmailIds across every mailbox entry, with the
// mailboxes they are in; Threads group them by ThreadId. Built from the snapshot cache (kept current from
// the change log) and kept, per account, until the account's change counter moves: a webmail's stream of
// Email/get, Email/query and Mailbox/get calls on an unchanged account of 100,000 messages costs a lookup,
// not a rebuild of every map; after a change the maps are updated by what changed (account-mail-update.ts)
// and query results travel on with it, to be kept or patched by Email/query. In a shared account, only the mailboxes shared with the user, and entries
// only of those they may read.
import type { EmailId, MailboxId, ModSeq, ThreadId } from "../kit/ids.js";
import type { SnapshotCache } from "../mail/view/snapshot-cache.js";
import type { MailboxEntry, MailboxRecord } from "../store/mail-store.js";
import { receivedAtOf, updateAccountMail } from "./account-mail-update.js";
import type { JmapContext } from "./jmap-context.js";
import { canReadItems, isVisibleMailbox } from "./shared-accounts.js";

export interface AccountMail {
  readonly mailboxes: readonly MailboxRecord[];
  readonly entriesByMailbox: ReadonlyMap<MailboxId, readonly MailboxEntry[]>;
  /** Every entry of each email, in mailbox list order. */
  readonly entriesByEmail: ReadonlyMap<EmailId, readonly MailboxEntry[]>;
  /** Each email's receivedAt (receivedAtOf its entries), computed once. */
  readonly receivedAtByEmail: ReadonlyMap<EmailId, number>;
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
}

/** One cache per snapshot cache, i.e. per process's mail services (tests run several servers in one process). */
const cachesBySnapshots = new WeakMap<SnapshotCache, Map<string, CachedAccountMail>>();

export async function loadAccountMail(ctx: JmapContext): Promise<AccountMail> {
  const { store, snapshots } = ctx.services;
  const accountId = ctx.account.id;
  // Read before the entries, so a change made meanwhile makes the next call rebuild rather than be missed.
  const modSeq = ((await store.accounts.get(accountId)) ?? ctx.account).highestModSeq;
  const mailboxes = (await store.mailboxes.list(accountId)).filter((m) => isVisibleMailbox(ctx, m.id));
  // In a shared account, the emails of a mailbox the user may list but not read stay hidden; the key
  // names what is visible, so users who see different parts of one account do not share a build.
  const readable = new Set(mailboxes.filter((m) => canReadItems(ctx, m.id)).map((m) => m.id));
  // Sorted by id, so a rename (which may reorder the list) keeps the build, to be updated.
  const visible = mailboxes.map((m) => (readable.has(m.id) ? m.id : `-${m.id}`)).sort();
  const key = `${accountId}:${visible.join(",")}`;
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
  const entriesByMailbox = await readEntries(ctx, mailboxes, readable);
  const mail =
    (cached !== undefined ? updateAccountMail(cached.mail, mailboxes, entriesByMailbox) : null) ??
    buildAccountMail(mailboxes, entriesByMailbox);
  cache.set(key, { modSeq, mail });
  while (cache.size > MAX_CACHED_ACCOUNTS) cache.delete(cache.keys().next().value as string);
  return mail;
}

/** Each mailbox's entries now, from the snapshot cache (an open costs the changes since the last one). */
async function readEntries(
  ctx: JmapContext,
  mailboxes: readonly MailboxRecord[],
  readable: ReadonlySet<MailboxId>,
): Promise<Map<MailboxId, readonly MailboxEntry[]>> {
  const { snapshots } = ctx.services;
  const entriesByMailbox = new Map<MailboxId, readonly MailboxEntry[]>();
  for (const mailbox of mailboxes) {
    const snapshot = readable.has(mailbox.id)
      ? await snapshots.open(ctx.account.id, mailbox.id).catch(() => null)
      : null;
    // A mailbox deleted between the list and the open simply has no entries now.
    entriesByMailbox.set(mailbox.id, snapshot?.entries ?? []);
  }
  return entriesByMailbox;
}

function buildAccountMail(
  mailboxes: readonly MailboxRecord[],
  entriesByMailbox: ReadonlyMap<MailboxId, readonly MailboxEntry[]>,
): AccountMail {
  const entriesByEmail = new Map<EmailId, MailboxEntry[]>();
  for (const mailbox of mailboxes) {
    for (const entry of entriesByMailbox.get(mailbox.id) ?? []) {
      const list = entriesByEmail.get(entry.emailId);
      if (list === undefined) entriesByEmail.set(entry.emailId, [entry]);
      else list.push(entry);
    }
  }
  const receivedAtByEmail = new Map<EmailId, number>();
  const threads = new Map<ThreadId, EmailId[]>();
  for (const [emailId, entries] of entriesByEmail) {
    receivedAtByEmail.set(emailId, receivedAtOf(entries));
    const threadId = (entries[0] as MailboxEntry).threadId;
    const list = threads.get(threadId);
    if (list === undefined) threads.set(threadId, [emailId]);
    else list.push(emailId);
  }
  const receivedAt = (id: EmailId): number => receivedAtByEmail.get(id) ?? 0;
  for (const list of threads.values()) {
    if (list.length > 1) list.sort((a, b) => receivedAt(a) - receivedAt(b) || (a < b ? -1 : 1));
  }
  return {
    mailboxes,
    entriesByMailbox,
    entriesByEmail,
    receivedAtByEmail,
    emailsByThread: threads,
    queryResults: new Map(),
    carriedResults: new Map(),
  };
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

// The account's mail as JMAP sees it: Emails are the distinct EmailIds across every mailbox entry, with the
// mailboxes they are in; Threads group them by ThreadId. Built from the snapshot cache (kept current from
// the change log) and kept, per account, until the account's change counter moves: a webmail's stream of
// Email/get, Email/query and Mailbox/get calls on an unchanged account of 100,000 messages costs a lookup,
// not a rebuild of every map. In a shared account, only the mailboxes shared with the user, and entries
// only of those they may read.
import type { EmailId, MailboxId, ModSeq, ThreadId } from "../kit/ids.js";
import type { SnapshotCache } from "../mail/view/snapshot-cache.js";
import type { MailboxEntry, MailboxRecord } from "../store/mail-store.js";
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
  const key = `${accountId}:${mailboxes.map((m) => (readable.has(m.id) ? m.id : `-${m.id}`)).join(",")}`;
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
  const mail = await buildAccountMail(ctx, mailboxes, readable);
  cache.set(key, { modSeq, mail });
  while (cache.size > MAX_CACHED_ACCOUNTS) cache.delete(cache.keys().next().value as string);
  return mail;
}

async function buildAccountMail(
  ctx: JmapContext,
  mailboxes: readonly MailboxRecord[],
  readable: ReadonlySet<MailboxId>,
): Promise<AccountMail> {
  const { snapshots } = ctx.services;
  const accountId = ctx.account.id;
  const entriesByMailbox = new Map<MailboxId, readonly MailboxEntry[]>();
  const entriesByEmail = new Map<EmailId, MailboxEntry[]>();
  for (const mailbox of mailboxes) {
    const snapshot = readable.has(mailbox.id)
      ? await snapshots.open(accountId, mailbox.id).catch(() => null)
      : null;
    // A mailbox deleted between the list and the open simply has no entries now.
    const entries = snapshot?.entries ?? [];
    entriesByMailbox.set(mailbox.id, entries);
    for (const entry of entries) {
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

/** An email's receivedAt: the earliest internal date among its entries. */
export function receivedAtOf(entries: readonly MailboxEntry[] | undefined): number {
  let earliest = Number.POSITIVE_INFINITY;
  for (const entry of entries ?? []) earliest = Math.min(earliest, entry.internalDateMs);
  return earliest === Number.POSITIVE_INFINITY ? 0 : earliest;
}

// Brings an account's JMAP maps (account-mail.ts) from one state to the next by what changed in its
// mailboxes, instead of rebuilding every map of 100,000 Emails after one flag change. The change is found
// by comparing each mailbox's entries with the ones the maps were built from (account-mail.ts keeps them
// current from the change log): entries are immutable records, so an entry that did not change is the same
// object (an unchanged mailbox keeps its very list), and a walk by UID finds the added, expunged and
// changed ones. Comparing states rather than replaying the log
// keeps the update right whatever happened in between (merged notifications, concurrent loads).
import type { EmailId, MailboxId, ThreadId } from "../kit/ids.js";
import type { MailboxEntry, MailboxRecord } from "../store/mail-store.js";
import { type AccountMail, MAX_QUERY_RESULTS, type QueryDelta } from "./account-mail.js";

/** Past this many changed Emails a rebuild is as cheap as the update and simpler to trust. */
const MAX_CHANGED_EMAILS = 5000;

/** Per changed Email: whether only its keywords changed (same copies, same internal dates). */
type ChangedEmails = Map<EmailId, boolean>;

/**
 * The maps of `old` moved to the entries now in each mailbox, or null when too much changed (the caller
 * rebuilds). `old` is left as it was: a request still running on it keeps a consistent view.
 */
export function updateAccountMail(
  old: AccountMail,
  mailboxes: readonly MailboxRecord[],
  entriesByMailbox: ReadonlyMap<MailboxId, readonly MailboxEntry[]>,
): AccountMail | null {
  const changed: ChangedEmails = new Map();
  const gone = new Set<MailboxEntry>();
  const added: MailboxEntry[] = [];
  // An unchanged mailbox keeps its list, so what is computed per list (Mailbox/get counts) is kept too.
  const lists = new Map<MailboxId, readonly MailboxEntry[]>();
  for (const mailbox of mailboxes) {
    const before = old.entriesByMailbox.get(mailbox.id);
    const now = entriesByMailbox.get(mailbox.id) ?? [];
    if (before === undefined) return null;
    if (before === now) {
      lists.set(mailbox.id, before);
      continue;
    }
    const seen = gone.size + added.length;
    if (!diffEntries(before, now, changed, gone, added)) return null;
    lists.set(mailbox.id, gone.size + added.length === seen ? before : now);
  }
  if (changed.size === 0)
    return { ...old, mailboxes, entriesByMailbox: lists, queryResults: new Map(old.queryResults) };

  // Every copy of a changed Email, in mailbox list order then UID order (as a build lists them).
  const mailboxOrder = new Map(mailboxes.map((m, i) => [m.id, i]));
  const addedByEmail = new Map<EmailId, MailboxEntry[]>();
  for (const entry of added) {
    const list = addedByEmail.get(entry.emailId);
    if (list === undefined) addedByEmail.set(entry.emailId, [entry]);
    else list.push(entry);
  }
  const entriesByEmail = new Map(old.entriesByEmail);
  const threadOfChanged = new Map<EmailId, ThreadId>();
  const changedThreads = new Map<ThreadId, boolean>();
  for (const [emailId, isKeywordsOnly] of changed) {
    const before = old.entriesByEmail.get(emailId) ?? [];
    const copies = [...before.filter((e) => !gone.has(e)), ...(addedByEmail.get(emailId) ?? [])];
    copies.sort(
      (a, b) => (mailboxOrder.get(a.mailboxId) ?? 0) - (mailboxOrder.get(b.mailboxId) ?? 0) || a.uid - b.uid,
    );
    const threadId = ((before[0] ?? copies[0]) as MailboxEntry).threadId;
    threadOfChanged.set(emailId, threadId);
    changedThreads.set(threadId, (changedThreads.get(threadId) ?? true) && isKeywordsOnly);
    if (copies.length === 0) entriesByEmail.delete(emailId);
    else entriesByEmail.set(emailId, copies);
  }

  // A keyword change leaves a Thread's members and their order alone; any other change re-lists the Thread.
  const emailsByThread = new Map(old.emailsByThread);
  for (const [threadId, isKeywordsOnly] of changedThreads) {
    if (isKeywordsOnly) continue;
    const members = new Set((old.emailsByThread.get(threadId) ?? []).filter((id) => entriesByEmail.has(id)));
    for (const [emailId, thread] of threadOfChanged)
      if (thread === threadId && entriesByEmail.has(emailId)) members.add(emailId);
    if (members.size === 0) {
      emailsByThread.delete(threadId);
      continue;
    }
    const receivedAt = (id: EmailId): number => receivedAtOf(entriesByEmail.get(id));
    emailsByThread.set(
      threadId,
      [...members].sort((a, b) => receivedAt(a) - receivedAt(b) || (a < b ? -1 : 1)),
    );
  }

  // Results of the old state travel on with what changed since; a query patches or keeps its result.
  const delta: QueryDelta = { changedThreads, threadOfChanged };
  // The old state's own results first, then older carried ones, at most MAX_QUERY_RESULTS in all: each can
  // hold 100,000 ids, and a client asking one new search after another must not pile them up.
  const carriedResults = new Map<string, CarriedResult>();
  for (const [key, ids] of old.queryResults) carriedResults.set(key, { ids, delta });
  for (const [key, carried] of old.carriedResults) {
    if (carriedResults.size >= MAX_QUERY_RESULTS) break;
    if (carriedResults.has(key)) continue;
    const merged = mergeDeltas(carried.delta, delta);
    // A result not asked for through many changes is dropped rather than carried with an ever larger delta.
    if (merged.threadOfChanged.size <= MAX_CHANGED_EMAILS)
      carriedResults.set(key, { ids: carried.ids, delta: merged });
  }
  return {
    mailboxes,
    entriesByMailbox: lists,
    entriesByEmail,
    emailsByThread,
    queryResults: new Map(),
    carriedResults,
  };
}

type CarriedResult = AccountMail["carriedResults"] extends ReadonlyMap<string, infer R> ? R : never;

/**
 * Walks two UID-ascending entry lists of one mailbox; notes each Email whose copy was added, expunged or
 * changed. False when more changed than an update is worth.
 */
function diffEntries(
  before: readonly MailboxEntry[],
  now: readonly MailboxEntry[],
  changed: ChangedEmails,
  gone: Set<MailboxEntry>,
  added: MailboxEntry[],
): boolean {
  const note = (emailId: EmailId, isKeywordsOnly: boolean): void => {
    changed.set(emailId, (changed.get(emailId) ?? true) && isKeywordsOnly);
  };
  let i = 0;
  let j = 0;
  while (i < before.length || j < now.length) {
    const a = before[i];
    const b = now[j];
    if (a !== undefined && b !== undefined && a.uid === b.uid) {
      i++;
      j++;
      if (a === b) continue;
      gone.add(a);
      added.push(b);
      const isKeywordsOnly = a.emailId === b.emailId && a.internalDateMs === b.internalDateMs;
      note(a.emailId, isKeywordsOnly);
      note(b.emailId, isKeywordsOnly);
    } else if (b === undefined || (a !== undefined && a.uid < b.uid)) {
      gone.add(a as MailboxEntry);
      note((a as MailboxEntry).emailId, false);
      i++;
    } else {
      added.push(b);
      note(b.emailId, false);
      j++;
    }
    if (changed.size > MAX_CHANGED_EMAILS) return false;
  }
  return true;
}

function mergeDeltas(first: QueryDelta, then: QueryDelta): QueryDelta {
  const changedThreads = new Map(first.changedThreads);
  for (const [threadId, isKeywordsOnly] of then.changedThreads)
    changedThreads.set(threadId, (changedThreads.get(threadId) ?? true) && isKeywordsOnly);
  return { changedThreads, threadOfChanged: new Map([...first.threadOfChanged, ...then.threadOfChanged]) };
}

/** An email's receivedAt: the earliest internal date among its entries. */
export function receivedAtOf(entries: readonly MailboxEntry[] | undefined): number {
  // Most emails have one copy: no loop (this runs for every Email a query sorts).
  if (entries?.length === 1) return (entries[0] as MailboxEntry).internalDateMs;
  let earliest = Number.POSITIVE_INFINITY;
  for (const entry of entries ?? []) earliest = Math.min(earliest, entry.internalDateMs);
  return earliest === Number.POSITIVE_INFINITY ? 0 : earliest;
}

// Email/query (RFC 8621 §4.4, RFC 8620 §5.5): the filter is evaluated per Email (email-filter.ts), its
// content conditions through the mail layer's search (the indexes IMAP SEARCH uses); results are Emails
// (distinct ids), sorted, optionally one per thread, then windowed by position or anchor.

import type { EmailId, MailboxId, ThreadId } from "../../kit/ids.js";
import { searchMailbox } from "../../mail/search/search-mailbox.js";
import type { EmailSortKeys, MailboxEntry } from "../../store/mail-store.js";
import { requireAccount } from "../account-check.js";
import {
  type AccountMail,
  coldAccountMailboxes,
  loadAccountMail,
  MAX_QUERY_RESULTS,
  type QueryDelta,
  receivedAtOf,
  scheduleAccountMailBuild,
} from "../account-mail.js";
import { countEmailsCold, MAX_COLD_WINDOW, newestEmailsCold } from "../account-mail-cold.js";
import {
  type Args,
  checkKnownArgs,
  isPlainObject,
  readBoolean,
  readInt,
  readOptionalUnsigned,
  readString,
} from "../args.js";
import {
  compileEmailFilter,
  type EmailFilter,
  type FilterSubject,
  type ThreadKeywords,
  threadKeywordsOf,
} from "../email-filter.js";
import type { JmapContext } from "../jmap-context.js";
import { MethodError } from "../jmap-error.js";
import { currentAccount, formatState } from "../state.js";

const SORT_PROPERTIES = new Set(["receivedAt", "sentAt", "size", "subject", "from", "to"]);
const COLLATIONS = new Set(["i;ascii-casemap", "i;unicode-casemap"]);
/** The most ids one response carries; a larger `limit` is lowered and the response says so. */
const MAX_QUERY_LIMIT = 10_000;

interface Comparator {
  readonly property: string;
  readonly isAscending: boolean;
}

/** The arguments Email/query and Email/queryChanges share (RFC 8620 §5.6: the same filter and sort). */
export const QUERY_ARGS = ["accountId", "filter", "sort", "collapseThreads"] as const;

/** A query's whole result, before windowing. */
export interface EmailQueryResult {
  readonly queryState: string;
  /** Every matching Email id, sorted (one per thread when collapsed). */
  readonly ids: readonly EmailId[];
  readonly mail: AccountMail;
  /** Filter and sort use only properties an Email never changes (RFC 8620 §5.6 upToId). */
  readonly isImmutable: boolean;
  readonly collapseThreads: boolean;
}

/** Runs the filter over every Email of the account (each one once, whatever its copies), sorts, collapses. */
export async function runEmailQuery(ctx: JmapContext, args: Args): Promise<EmailQueryResult> {
  const filter = compileEmailFilter(args.filter);
  const comparators = readSort(args.sort);
  const collapseThreads = readBoolean(args, "collapseThreads", false);

  const queryState = formatState((await currentAccount(ctx)).highestModSeq);
  const mail = await loadAccountMail(ctx);
  // The same query over the same account state (a client paging through it) reuses the sorted result.
  const resultKey = JSON.stringify([args.filter ?? null, comparators, collapseThreads]);
  let ids = mail.queryResults.get(resultKey);
  if (ids === undefined) {
    const carried = mail.carriedResults.get(resultKey);
    ids =
      (carried !== undefined
        ? await patchQuery(ctx, mail, filter, comparators, collapseThreads, carried.ids, carried.delta)
        : null) ?? (await evaluateQuery(ctx, mail, filter, comparators, collapseThreads));
    if (mail.queryResults.size >= MAX_QUERY_RESULTS)
      mail.queryResults.delete(mail.queryResults.keys().next().value as string);
    mail.queryResults.set(resultKey, ids);
  }
  return { queryState, ids, mail, isImmutable: filter.isImmutable && !collapseThreads, collapseThreads };
}

async function evaluateQuery(
  ctx: JmapContext,
  mail: AccountMail,
  filter: EmailFilter,
  comparators: readonly Comparator[],
  collapseThreads: boolean,
): Promise<readonly EmailId[]> {
  // Each match's copies, noted while matching: its Thread (to collapse) and its receivedAt or size (to
  // sort) then need no lookup in the account's maps per Email.
  const copies: (readonly MailboxEntry[])[] = [];
  const ids = await matchingEmails(ctx, mail, filter, mail.entriesByEmail, mail.entriesByMailbox, copies);
  const sortKeys = needsSortKeys(comparators)
    ? await ctx.services.store.messages.getSortKeys(ids)
    : new Map<EmailId, EmailSortKeys>();
  if (!collapseThreads)
    return sortOrder(ids, comparators, mail, sortKeys, copies).map((i) => ids[i] as EmailId);
  // Collapsed, each Thread shows its first Email in the sort's order: that Email is found per Thread in one
  // pass, and only those are sorted (a thread of 10 Emails sorts 1, not 10).
  const order = positionOrder(ids, comparators, mail, sortKeys, copies);
  const firstOfThread = new Map<ThreadId, number>();
  for (let i = 0; i < ids.length; i++) {
    const threadId = (copies[i] as readonly MailboxEntry[])[0]?.threadId as ThreadId;
    const first = firstOfThread.get(threadId);
    if (first === undefined || order(i, first) < 0) firstOfThread.set(threadId, i);
  }
  return [...firstOfThread.values()].sort(order).map((i) => ids[i] as EmailId);
}

/** Past this many changed Threads a query runs again rather than patching its previous result. */
const MAX_PATCHED_THREADS = 2000;

/**
 * The result of a query over an earlier state moved to this one: kept as it was when only keywords
 * changed and the filter reads none (no sort property is a keyword), else with the Emails of every
 * changed Thread taken out and those of them that match now merged back in by the sort. A Thread, not an
 * Email, is the unit: thread keyword conditions and collapsing look at all of a Thread's Emails. Null
 * when running the query again is as cheap (a sort by stored keys, or too many changes).
 */
async function patchQuery(
  ctx: JmapContext,
  mail: AccountMail,
  filter: EmailFilter,
  comparators: readonly Comparator[],
  collapseThreads: boolean,
  previous: readonly EmailId[],
  delta: QueryDelta,
): Promise<readonly EmailId[] | null> {
  const threads = new Set<ThreadId>();
  for (const [threadId, isKeywordsOnly] of delta.changedThreads)
    if (!isKeywordsOnly || filter.usesKeywords) threads.add(threadId);
  if (threads.size === 0) return previous;
  if (needsSortKeys(comparators) || threads.size > MAX_PATCHED_THREADS) return null;
  const threadOf = (id: EmailId): ThreadId | undefined =>
    mail.entriesByEmail.get(id)?.[0]?.threadId ?? delta.threadOfChanged.get(id);
  const kept = previous.filter((id) => !threads.has(threadOf(id) as ThreadId));
  const candidates: EmailId[] = [];
  const candidateEntries = new Map<MailboxId, MailboxEntry[]>();
  for (const threadId of threads) {
    for (const id of mail.emailsByThread.get(threadId) ?? []) {
      candidates.push(id);
      for (const entry of mail.entriesByEmail.get(id) ?? []) {
        const list = candidateEntries.get(entry.mailboxId);
        if (list === undefined) candidateEntries.set(entry.mailboxId, [entry]);
        else list.push(entry);
      }
    }
  }
  // The content search takes a mailbox's entries ascending by UID, as a snapshot lists them.
  for (const list of candidateEntries.values()) list.sort((a, b) => a.uid - b.uid);
  const noSortKeys = new Map<EmailId, EmailSortKeys>();
  let found = sortEmails(
    await matchingEmails(
      ctx,
      mail,
      filter,
      candidates.map((id) => [id, mail.entriesByEmail.get(id)] as const),
      candidateEntries,
    ),
    comparators,
    mail,
    noSortKeys,
  );
  if (collapseThreads) found = firstOfEachThread(found, mail);
  if (found.length === 0) return kept;
  // Both lists are in sort order: merge them.
  const compare = comparatorOf(comparators, mail, noSortKeys);
  const merged: EmailId[] = [];
  let i = 0;
  for (const id of kept) {
    while (i < found.length && compare(found[i] as EmailId, id) < 0) merged.push(found[i++] as EmailId);
    merged.push(id);
  }
  while (i < found.length) merged.push(found[i++] as EmailId);
  return merged;
}

/**
 * The Emails among `ids` the filter matches. Content conditions are searched once each over the given
 * entries of every mailbox: an Email's content is one for all copies.
 */
async function matchingEmails(
  ctx: JmapContext,
  mail: AccountMail,
  filter: EmailFilter,
  /** The Emails to look at, each with its copies (the account map's own pairs, or looked up). */
  emails: Iterable<readonly [EmailId, readonly MailboxEntry[] | undefined]>,
  entriesByMailbox: ReadonlyMap<MailboxId, readonly MailboxEntry[]>,
  /** When given, gets the copies of each match, at the same position. */
  copiesOfMatches?: (readonly MailboxEntry[])[],
): Promise<EmailId[]> {
  const contentHits: Set<EmailId>[] = [];
  for (const query of filter.contentQueries) {
    const hits = new Set<EmailId>();
    for (const mailbox of mail.mailboxes) {
      const entries = entriesByMailbox.get(mailbox.id) ?? [];
      if (entries.length === 0) continue;
      for (const entry of await searchMailbox(ctx.services.store, ctx.account.id, mailbox.id, entries, query))
        hits.add(entry.emailId);
    }
    contentHits.push(hits);
  }
  // Each Thread's keywords are gathered once, at the first Email of it a thread condition looks at.
  const keywordsByThread = new Map<ThreadId, ThreadKeywords>();
  const threadKeywords = (threadId: ThreadId): ThreadKeywords => {
    let keywords = keywordsByThread.get(threadId);
    if (keywords === undefined) {
      const emails = (mail.emailsByThread.get(threadId) ?? []).map((id) => mail.entriesByEmail.get(id) ?? []);
      keywords = threadKeywordsOf(emails);
      keywordsByThread.set(threadId, keywords);
    }
    return keywords;
  };
  // One subject object for every Email (a filter keeps none): 100,000 Emails, no 100,000 objects; its
  // receivedAt is looked up only when a date condition asks.
  const subject: Omit<FilterSubject, "id" | "entries"> & { id: EmailId; entries: readonly MailboxEntry[] } = {
    id: "" as EmailId,
    entries: [],
    get receivedAtMs() {
      return receivedAtOf(subject.entries);
    },
    threadKeywords: () => threadKeywords((subject.entries[0] as MailboxEntry).threadId),
  };
  const matching: EmailId[] = [];
  for (const [id, entries] of emails) {
    if (entries === undefined) continue;
    subject.id = id;
    subject.entries = entries;
    if (!filter.matches(subject, contentHits)) continue;
    matching.push(id);
    copiesOfMatches?.push(entries);
  }
  return matching;
}

/** The first Email of each Thread, in the order given (RFC 8621 §4.4.3 collapseThreads). */
function firstOfEachThread(ids: readonly EmailId[], mail: AccountMail): EmailId[] {
  const seen = new Set<ThreadId>();
  return ids.filter((id) => {
    const threadId = ((mail.entriesByEmail.get(id) ?? [])[0] as MailboxEntry).threadId;
    if (seen.has(threadId)) return false;
    seen.add(threadId);
    return true;
  });
}

export async function emailQuery(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  checkKnownArgs(args, [...QUERY_ARGS, "position", "anchor", "anchorOffset", "limit", "calculateTotal"]);
  const accountId = requireAccount(ctx, args);
  const position = readInt(args, "position", 0, Number.MIN_SAFE_INTEGER);
  const anchor = readString(args, "anchor");
  const anchorOffset = readInt(args, "anchorOffset", 0, Number.MIN_SAFE_INTEGER);
  const requestedLimit = readOptionalUnsigned(args, "limit");
  const calculateTotal = readBoolean(args, "calculateTotal", false);
  const limit = Math.min(requestedLimit ?? MAX_QUERY_LIMIT, MAX_QUERY_LIMIT);
  const limitNote = requestedLimit === null || requestedLimit > MAX_QUERY_LIMIT ? { limit } : {};
  if (anchor === undefined && position >= 0 && position + limit <= MAX_COLD_WINDOW) {
    const cold = await coldWindow(ctx, args, position, limit, calculateTotal);
    if (cold !== null) return { accountId, canCalculateChanges: true, ...cold, ...limitNote };
  }
  const { queryState, ids } = await runEmailQuery(ctx, args);
  let start: number;
  if (anchor !== undefined) {
    const index = ids.indexOf(anchor as EmailId);
    if (index < 0) throw new MethodError("anchorNotFound", "The anchor is not in the results");
    start = Math.max(0, index + anchorOffset);
  } else {
    start = position < 0 ? Math.max(0, ids.length + position) : Math.min(position, ids.length);
  }
  const window = ids.slice(start, start + limit);
  return {
    accountId,
    queryState,
    canCalculateChanges: true,
    position: start,
    ids: window,
    ...(calculateTotal ? { total: ids.length } : {}),
    ...limitNote,
  };
}

/**
 * A window of one mailbox newest first, answered from the store while the account's maps are not built
 * (account-mail-cold.ts): the webmail's first list after a login. Null for any other query, or when the
 * maps answer it.
 */
async function coldWindow(
  ctx: JmapContext,
  args: Args,
  position: number,
  limit: number,
  calculateTotal: boolean,
): Promise<{ queryState: string; position: number; ids: EmailId[]; total?: number } | null> {
  compileEmailFilter(args.filter);
  const [comparator, ...more] = readSort(args.sort);
  const collapseThreads = readBoolean(args, "collapseThreads", false);
  const { filter } = args;
  if (
    more.length > 0 ||
    comparator?.property !== "receivedAt" ||
    comparator.isAscending ||
    !isPlainObject(filter) ||
    Object.keys(filter).length !== 1 ||
    typeof filter.inMailbox !== "string"
  ) {
    return null;
  }
  const queryState = formatState((await currentAccount(ctx)).highestModSeq);
  const mailboxes = await coldAccountMailboxes(ctx);
  const mailbox = mailboxes?.find((m) => m.id === filter.inMailbox);
  if (mailboxes === null || mailbox === undefined) return null;
  const found = await newestEmailsCold(ctx, mailboxes, mailbox.id, position + limit, collapseThreads);
  if (found === null) return null;
  scheduleAccountMailBuild(ctx);
  // Fewer than asked for: that is every match, so the position is clamped as a whole result clamps it.
  const start = Math.min(position, found.length);
  const counts = calculateTotal ? await countEmailsCold(ctx, mailbox) : null;
  return {
    queryState,
    position: start,
    ids: found.slice(start, start + limit),
    ...(counts === null ? {} : { total: collapseThreads ? counts.threads : counts.emails }),
  };
}

function readSort(sort: unknown): Comparator[] {
  if (sort === undefined || sort === null) return [{ property: "receivedAt", isAscending: false }];
  if (!Array.isArray(sort)) throw new MethodError("invalidArguments", '"sort" must be a list of comparators');
  return sort.map((comparator): Comparator => {
    if (!isPlainObject(comparator) || typeof comparator.property !== "string") {
      throw new MethodError("invalidArguments", "A comparator needs a property");
    }
    if (!SORT_PROPERTIES.has(comparator.property)) {
      throw new MethodError("unsupportedSort", `Sorting by "${comparator.property}" is not supported`);
    }
    if (comparator.collation !== undefined && !COLLATIONS.has(comparator.collation as string)) {
      throw new MethodError(
        "unsupportedSort",
        `The collation ${String(comparator.collation)} is not supported`,
      );
    }
    const isAscending = comparator.isAscending ?? true;
    if (typeof isAscending !== "boolean")
      throw new MethodError("invalidArguments", '"isAscending" must be a boolean');
    return { property: comparator.property, isAscending };
  });
}

function needsSortKeys(comparators: readonly Comparator[]): boolean {
  return comparators.some((c) => c.property !== "receivedAt" && c.property !== "size");
}

/**
 * Sorts by the comparators, then by id (a stable total order, so pages never overlap or skip). Each
 * Email's keys are looked up once before sorting, not at every comparison: a sort of 100,000 Emails
 * makes about 1.7 million comparisons.
 */
function sortEmails(
  ids: readonly EmailId[],
  comparators: readonly Comparator[],
  mail: AccountMail,
  sortKeys: ReadonlyMap<EmailId, EmailSortKeys>,
): EmailId[] {
  return sortOrder(ids, comparators, mail, sortKeys).map((i) => ids[i] as EmailId);
}

/** The positions in `ids` in sortEmails' order. */
function sortOrder(
  ids: readonly EmailId[],
  comparators: readonly Comparator[],
  mail: AccountMail,
  sortKeys: ReadonlyMap<EmailId, EmailSortKeys>,
  /** The copies of each Email, at the same position, when the caller has them at hand. */
  copies?: readonly (readonly MailboxEntry[])[],
): number[] {
  return Array.from(ids, (_, i) => i).sort(positionOrder(ids, comparators, mail, sortKeys, copies));
}

/** sortEmails' order of two positions in `ids`, each Email's keys looked up once, before the first call. */
function positionOrder(
  ids: readonly EmailId[],
  comparators: readonly Comparator[],
  mail: AccountMail,
  sortKeys: ReadonlyMap<EmailId, EmailSortKeys>,
  copies?: readonly (readonly MailboxEntry[])[],
): (i: number, j: number) => number {
  const byId = (i: number, j: number): number => {
    const x = ids[i] as EmailId;
    const y = ids[j] as EmailId;
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const [only] = comparators;
  if (comparators.length === 1 && only !== undefined && !needsSortKeys(comparators)) {
    // One numeric key (receivedAt, the usual sort, or size): unboxed in a typed array.
    const keys = Float64Array.from(
      ids,
      (id, i) => keyOf(only.property, id, mail, sortKeys, copies?.[i]) as number,
    );
    const direction = only.isAscending ? 1 : -1;
    return (i, j) => ((keys[i] as number) - (keys[j] as number)) * direction || byId(i, j);
  }
  const keys = ids.map((id) => comparators.map((c) => keyOf(c.property, id, mail, sortKeys)));
  const directions = comparators.map((c) => (c.isAscending ? 1 : -1));
  return (i, j) =>
    compareKeys(keys[i] ?? [], ids[i] as EmailId, keys[j] ?? [], ids[j] as EmailId, directions);
}

/** The sort's order of two Emails, their keys looked up at each call (for a merge, not a sort). */
function comparatorOf(
  comparators: readonly Comparator[],
  mail: AccountMail,
  sortKeys: ReadonlyMap<EmailId, EmailSortKeys>,
): (a: EmailId, b: EmailId) => number {
  const directions = comparators.map((c) => (c.isAscending ? 1 : -1));
  const keysOf = (id: EmailId) => comparators.map((c) => keyOf(c.property, id, mail, sortKeys));
  return (a, b) => compareKeys(keysOf(a), a, keysOf(b), b, directions);
}

/** By each key in turn, then by id: a stable total order, so pages never overlap or skip. */
function compareKeys(
  x: readonly (number | string)[],
  xId: EmailId,
  y: readonly (number | string)[],
  yId: EmailId,
  directions: readonly number[],
): number {
  for (let i = 0; i < directions.length; i++) {
    const a = x[i] as number | string;
    const b = y[i] as number | string;
    if (a !== b) return (a < b ? -1 : 1) * (directions[i] as number);
  }
  return xId < yId ? -1 : xId > yId ? 1 : 0;
}

/** An Email's key for one sort property: a number (dates, size) or a string compared by code unit. */
function keyOf(
  property: string,
  id: EmailId,
  mail: AccountMail,
  sortKeys: ReadonlyMap<EmailId, EmailSortKeys>,
  copies = mail.entriesByEmail.get(id),
): number | string {
  switch (property) {
    case "receivedAt":
      return receivedAtOf(copies);
    case "size":
      return copies?.[0]?.size ?? 0;
    case "sentAt":
      return sortKeys.get(id)?.sentAtMs ?? receivedAtOf(copies);
    case "subject":
      return sortKeys.get(id)?.baseSubject ?? "";
    case "from":
      return sortKeys.get(id)?.displayFrom ?? "";
    default:
      return sortKeys.get(id)?.displayTo ?? "";
  }
}

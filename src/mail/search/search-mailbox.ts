// Evaluates a SearchQuery over a session's snapshot of one mailbox (ARCHITECTURE.md "search/"):
// flags, keywords, dates, sizes, UIDs and ids are checked in memory on the snapshot's entries (so the
// result agrees with the flags the client was told about); text, sent dates and headers are asked of
// the store once per leaf, as sets of email ids.
import type { AccountId, EmailId, MailboxId } from "../../kit/ids.js";
import type { EmailCriterion, MailboxEntry, MailStore } from "../../store/mail-store.js";
import { matchHeader } from "./header-match.js";
import { isUidInRanges, type SearchQuery } from "./search-query.js";

/** Store answers per leaf, by leaf identity. */
type LeafResults = Map<SearchQuery, ReadonlySet<EmailId>>;

/**
 * The entries (in their given order) that match `query`. `entries` are the snapshot's entries of the
 * mailbox `mailboxId` of `accountId`; an entry no longer in the store matches no store-answered leaf.
 */
export async function searchMailbox(
  store: MailStore,
  _accountId: AccountId,
  mailboxId: MailboxId,
  entries: readonly MailboxEntry[],
  query: SearchQuery,
): Promise<MailboxEntry[]> {
  // Cheap conjuncts first: when they leave nothing, the store is never asked.
  const cheap = conjuncts(query).filter((q) => !needsStore(q));
  const noResults: LeafResults = new Map();
  const candidates = entries.filter((entry) => cheap.every((q) => matches(entry, q, noResults)));
  if (candidates.length === 0) return [];
  const results: LeafResults = new Map();
  await resolveStoreLeaves(store, mailboxId, candidates, query, results);
  return candidates.filter((entry) => matches(entry, query, results));
}

function conjuncts(query: SearchQuery): readonly SearchQuery[] {
  return query.kind === "and" ? query.queries.flatMap(conjuncts) : [query];
}

function needsStore(query: SearchQuery): boolean {
  switch (query.kind) {
    case "text":
    case "header":
      return true;
    case "date":
      return query.field === "sent";
    case "and":
    case "or":
      return query.queries.some(needsStore);
    case "not":
      return needsStore(query.query);
    default:
      return false;
  }
}

async function resolveStoreLeaves(
  store: MailStore,
  mailboxId: MailboxId,
  candidates: readonly MailboxEntry[],
  query: SearchQuery,
  results: LeafResults,
): Promise<void> {
  switch (query.kind) {
    case "and":
    case "or":
      for (const child of query.queries)
        await resolveStoreLeaves(store, mailboxId, candidates, child, results);
      return;
    case "not":
      return resolveStoreLeaves(store, mailboxId, candidates, query.query, results);
    case "text":
      results.set(query, await matchCriterion(store, mailboxId, query));
      return;
    case "date":
      if (query.field === "sent") results.set(query, await matchCriterion(store, mailboxId, query));
      return;
    case "header": {
      // Every decoded header value is in the stored `text`, so it narrows the blobs to read.
      const inMailbox =
        query.value === ""
          ? null
          : await store.messages.matchEmails(mailboxId, [
              { kind: "text", field: "text", value: query.value },
            ]);
      const wanted = new Set<EmailId>();
      for (const entry of candidates)
        if (!inMailbox || inMailbox.has(entry.emailId)) wanted.add(entry.emailId);
      results.set(query, await matchHeader(store, wanted, query.name, query.value));
      return;
    }
    default:
      return;
  }
}

function matchCriterion(
  store: MailStore,
  mailboxId: MailboxId,
  query: Extract<SearchQuery, { kind: "text" | "date" }>,
): Promise<Set<EmailId>> {
  const criterion: EmailCriterion =
    query.kind === "text"
      ? { kind: "text", field: query.field, value: query.value }
      : { kind: "sentDate", sinceMs: query.sinceMs, beforeMs: query.beforeMs };
  return store.messages.matchEmails(mailboxId, [criterion]);
}

function isInRange(ms: number, sinceMs: number | null, beforeMs: number | null): boolean {
  return (sinceMs === null || ms >= sinceMs) && (beforeMs === null || ms < beforeMs);
}

function matches(entry: MailboxEntry, query: SearchQuery, results: LeafResults): boolean {
  switch (query.kind) {
    case "all":
      return true;
    case "and":
      return query.queries.every((q) => matches(entry, q, results));
    case "or":
      return query.queries.some((q) => matches(entry, q, results));
    case "not":
      return !matches(entry, query.query, results);
    case "flag":
      return entry.flags.system.has(query.flag);
    case "keyword": {
      const wanted = query.keyword.toLowerCase();
      return entry.flags.keywords.some((k) => k.toLowerCase() === wanted);
    }
    case "date":
      if (query.field === "internal") return isInRange(entry.internalDateMs, query.sinceMs, query.beforeMs);
      if (query.field === "saved") return isInRange(entry.saveDateMs, query.sinceMs, query.beforeMs);
      return results.get(query)?.has(entry.emailId) ?? false;
    case "text":
    case "header":
      return results.get(query)?.has(entry.emailId) ?? false;
    case "size":
      return query.isLarger ? entry.size > query.bytes : entry.size < query.bytes;
    case "uids":
      return isUidInRanges(entry.uid, query.ranges);
    case "emailId":
      return entry.emailId === query.id;
    case "threadId":
      return entry.threadId === query.id;
    case "modSeq":
      return entry.modSeq >= query.atLeast;
  }
}

// The search planner (ARCHITECTURE.md "search/", RFC 9051 §6.4.4): the one place that decides how each
// key of a SearchQuery is answered. Keys on what a snapshot entry holds (flags, keywords, internal and
// save dates, size, UIDs, ids, modseq) become in-memory predicates: the session's snapshot is the
// in-memory index. Content keys (text, header, sent date, has-attachment) become EmailCriteria that the
// store answers from its indexes. No key reads a message.
import type { EmailId } from "../../kit/ids.js";
import type { EmailCriterion, MailboxEntry } from "../../store/mail-store.js";
import { isUidInRanges, type SearchQuery } from "./search-query.js";

/** The store's answer to each of a plan's criteria, in the same order. */
export type StoreAnswers = readonly ReadonlySet<EmailId>[];

export interface SearchPlan {
  /** The conjuncts that need no store, cheapest first: entries failing them are never looked up. */
  readonly prefilter: (entry: MailboxEntry) => boolean;
  /** What to ask the store: each content leaf once (identical leaves share one criterion). */
  readonly criteria: readonly EmailCriterion[];
  /** The rest of the query, for an entry that passed `prefilter`, given the store's answers. */
  readonly residual: (entry: MailboxEntry, answers: StoreAnswers) => boolean;
}

type Predicate = (entry: MailboxEntry, answers: StoreAnswers) => boolean;

/** Plans `query`: OR and NOT combine predicates, so any mix of keys keeps IMAP's boolean semantics. */
export function planSearch(query: SearchQuery): SearchPlan {
  const criteria: EmailCriterion[] = [];
  const criterionIndex = new Map<string, number>();
  const compiler = new PredicateCompiler((criterion) => {
    const key = JSON.stringify(criterion);
    let index = criterionIndex.get(key);
    if (index === undefined) {
      index = criteria.push(criterion) - 1;
      criterionIndex.set(key, index);
    }
    return index;
  });
  const parts = conjuncts(query);
  const inMemory = parts.filter((part) => !needsStore(part)).sort((a, b) => costOf(a) - costOf(b));
  const content = parts.filter(needsStore);
  const filters = inMemory.map((part) => compiler.compile(part));
  const rest = content.map((part) => compiler.compile(part));
  return {
    prefilter: (entry) => filters.every((filter) => filter(entry, [])),
    criteria,
    residual: (entry, answers) => rest.every((predicate) => predicate(entry, answers)),
  };
}

/** Whether a key is answered by the store rather than from the snapshot entry. */
export function needsStore(query: SearchQuery): boolean {
  switch (query.kind) {
    case "text":
    case "header":
    case "hasAttachment":
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

function conjuncts(query: SearchQuery): SearchQuery[] {
  return query.kind === "and" ? query.queries.flatMap(conjuncts) : [query];
}

/** Relative cost of an in-memory key per entry: single comparisons first, keyword lists and trees after. */
function costOf(query: SearchQuery): number {
  switch (query.kind) {
    case "keyword":
      return 1;
    case "and":
    case "or":
    case "not":
      return 2;
    default:
      return 0;
  }
}

class PredicateCompiler {
  constructor(private readonly criterionFor: (criterion: EmailCriterion) => number) {}

  compile(query: SearchQuery): Predicate {
    switch (query.kind) {
      case "all":
        return () => true;
      case "and": {
        const parts = query.queries.map((q) => this.compile(q));
        return (entry, answers) => parts.every((part) => part(entry, answers));
      }
      case "or": {
        const parts = query.queries.map((q) => this.compile(q));
        return (entry, answers) => parts.some((part) => part(entry, answers));
      }
      case "not": {
        const inner = this.compile(query.query);
        return (entry, answers) => !inner(entry, answers);
      }
      case "flag": {
        const { flag } = query;
        return (entry) => entry.flags.system.has(flag);
      }
      case "keyword": {
        // Keywords compare case-insensitively (RFC 9051 §2.3.2).
        const wanted = query.keyword.toLowerCase();
        return (entry) => entry.flags.keywords.some((k) => k.toLowerCase() === wanted);
      }
      case "date": {
        const { sinceMs, beforeMs } = query;
        if (query.field === "sent") return this.#storeLeaf({ kind: "sentDate", sinceMs, beforeMs });
        const isIn = (ms: number) =>
          (sinceMs === null || ms >= sinceMs) && (beforeMs === null || ms < beforeMs);
        return query.field === "internal"
          ? (entry) => isIn(entry.internalDateMs)
          : (entry) => isIn(entry.saveDateMs);
      }
      case "text":
        return this.#storeLeaf({ kind: "text", field: query.field, value: query.value });
      case "header":
        return this.#storeLeaf({ kind: "header", name: query.name, value: query.value });
      case "hasAttachment":
        return this.#storeLeaf({ kind: "hasAttachment" });
      case "size": {
        const { bytes } = query;
        return query.isLarger ? (entry) => entry.size > bytes : (entry) => entry.size < bytes;
      }
      case "uids": {
        const { ranges } = query;
        return (entry) => isUidInRanges(entry.uid, ranges);
      }
      case "emailId": {
        const { id } = query;
        return (entry) => entry.emailId === id;
      }
      case "threadId": {
        const { id } = query;
        return (entry) => entry.threadId === id;
      }
      case "modSeq": {
        const { atLeast } = query;
        return (entry) => entry.modSeq >= atLeast;
      }
    }
  }

  /** A content key: true for the entries whose email is in the store's answer to its criterion. */
  #storeLeaf(criterion: EmailCriterion): Predicate {
    const index = this.criterionFor(criterion);
    return (entry, answers) => answers[index]?.has(entry.emailId) ?? false;
  }
}

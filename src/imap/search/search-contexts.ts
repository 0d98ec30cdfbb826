// CONTEXT=SEARCH and CONTEXT=SORT (RFC 5267 §4): the searches of one selected mailbox that a client
// asked to keep up to date with RETURN (UPDATE), and the `* ESEARCH (TAG "t") [UID] REMOVEFROM (…)
// ADDTO (…)` responses that follow the mailbox's changes. SEARCH contexts use position 0 (the result is
// a set); SORT contexts name each message's position in sort order. Removals of expunged messages are
// announced before the EXPUNGEs, with the sequence numbers the client still knows (as Dovecot does);
// additions after EXISTS.
import type { Uid } from "../../kit/ids.js";
import type { LiveSearch } from "../../mail/search/live-search.js";
import { loadSortKeys } from "../../mail/sort/sort-key-cache.js";
import { type SortCriterion, sortMessages } from "../../mail/sort/sort-messages.js";
import type { MailboxEntry, MailStore } from "../../store/mail-store.js";
import type { ContextChange, ImapResponse } from "../wire/response.js";
import type { SearchKey } from "../wire/search-key.js";
import { sequenceSetFromNumbers } from "../wire/seqset.js";

/** Live searches one session may hold; past it RETURN (UPDATE) gets `NO [NOUPDATE "tag"]`. */
export const MAX_SEARCH_CONTEXTS = 5;

interface SearchContext {
  readonly isUid: boolean;
  readonly live: LiveSearch;
  /** Member UIDs (SEARCH and SORT). */
  readonly members: Set<Uid>;
  /** SORT: the criteria and the members in sort order; null for SEARCH. */
  readonly sort: { readonly criteria: readonly SortCriterion[]; ordered: MailboxEntry[] } | null;
}

/**
 * Why a search cannot be kept up to date, or null if it can: OLDER/YOUNGER match differently as time
 * passes with no change to the mailbox, and \Recent (RECENT, NEW, OLD) is fixed per session.
 */
export function untrackableReason(criteria: readonly SearchKey[]): string | null {
  let reason: string | null = null;
  const visit = (key: SearchKey): void => {
    if (key.kind === "age") reason = "OLDER and YOUNGER results change with time, not with the mailbox";
    else if (key.kind === "flag" && (key.name === "RECENT" || key.name === "NEW" || key.name === "OLD"))
      reason = "RECENT, NEW and OLD cannot be kept up to date";
    else if (key.kind === "not") visit(key.key);
    else if (key.kind === "or") {
      visit(key.left);
      visit(key.right);
    } else if (key.kind === "and") key.keys.forEach(visit);
  };
  criteria.forEach(visit);
  return reason;
}

/**
 * Why a new live search is refused (`NO [NOUPDATE "tag"]` beside its results), or null: the session's
 * limit (a search reusing a live tag replaces it), or keys that cannot be kept up to date.
 */
export function updateRefusal(
  contexts: SearchContexts,
  tag: string,
  criteria: readonly SearchKey[],
): string | null {
  if (contexts.size >= MAX_SEARCH_CONTEXTS && !contexts.has(tag))
    return `At most ${MAX_SEARCH_CONTEXTS} searches are kept up to date; CANCELUPDATE one first`;
  return untrackableReason(criteria);
}

export class SearchContexts {
  readonly #contexts = new Map<string, SearchContext>();
  /** Entries this session changed itself (STORE, FETCH setting \Seen), to evaluate at the next update. */
  #ownChanges: MailboxEntry[] = [];

  constructor(private readonly store: MailStore) {}

  get size(): number {
    return this.#contexts.size;
  }

  has(tag: string): boolean {
    return this.#contexts.has(tag);
  }

  /** Keeps a search (its matches in mailbox order); a context with the same tag is replaced. */
  addSearch(tag: string, isUid: boolean, live: LiveSearch, matched: readonly MailboxEntry[]): void {
    this.#contexts.set(tag, { isUid, live, members: new Set(matched.map((e) => e.uid)), sort: null });
  }

  /** Keeps a SORT (its matches in sort order). */
  addSort(
    tag: string,
    isUid: boolean,
    live: LiveSearch,
    sorted: readonly MailboxEntry[],
    criteria: readonly SortCriterion[],
  ): void {
    this.#contexts.set(tag, {
      isUid,
      live,
      members: new Set(sorted.map((e) => e.uid)),
      sort: { criteria, ordered: [...sorted] },
    });
  }

  /** CANCELUPDATE: false if no context has this tag. */
  cancel(tag: string): boolean {
    return this.#contexts.delete(tag);
  }

  noteOwnChanges(entries: readonly MailboxEntry[]): void {
    if (this.#contexts.size > 0) this.#ownChanges.push(...entries);
  }

  get hasOwnChanges(): boolean {
    return this.#ownChanges.length > 0;
  }

  /**
   * REMOVEFROM for messages about to be announced as expunged; `removed` carries each one's sequence
   * number before any of them is removed. Sent before the EXPUNGE (or VANISHED) responses.
   */
  expunged(removed: readonly { readonly uid: Uid; readonly position: number }[]): ImapResponse[] {
    if (this.#contexts.size === 0 || removed.length === 0) return [];
    const responses: ImapResponse[] = [];
    const seqOf = new Map(removed.map((r) => [r.uid, r.position]));
    for (const [tag, context] of this.#contexts) {
      const gone = removed.filter((r) => context.members.has(r.uid));
      if (gone.length === 0) continue;
      for (const { uid } of gone) context.members.delete(uid);
      const numberOf = (uid: Uid) => (context.isUid ? uid : (seqOf.get(uid) as number));
      const removeFrom =
        context.sort === null
          ? [{ position: 0, set: sequenceSetFromNumbers(gone.map((r) => numberOf(r.uid))) }]
          : removeFromSorted(context.sort, new Set(gone.map((r) => r.uid)), numberOf);
      responses.push({ kind: "esearch", tag, uid: context.isUid, removeFrom });
    }
    return responses;
  }

  /**
   * ADDTO/REMOVEFROM for entries that are new or whose flags changed (others' changes just flushed, and
   * this session's own since the last call); `positionOf` gives current sequence numbers.
   */
  async changed(
    changedEntries: readonly MailboxEntry[],
    positionOf: (uid: Uid) => number,
  ): Promise<ImapResponse[]> {
    const own = this.#ownChanges;
    this.#ownChanges = [];
    if (this.#contexts.size === 0) return [];
    // The newest version of each entry, dropping ones no longer shown (expunged meanwhile).
    const byUid = new Map<Uid, MailboxEntry>();
    for (const entry of [...own, ...changedEntries]) {
      const known = byUid.get(entry.uid);
      if (positionOf(entry.uid) > 0 && (known === undefined || known.modSeq <= entry.modSeq))
        byUid.set(entry.uid, entry);
    }
    if (byUid.size === 0) return [];
    const entries = [...byUid.values()].sort((a, b) => a.uid - b.uid);
    const responses: ImapResponse[] = [];
    for (const [tag, context] of this.#contexts) {
      const matching = new Set((await context.live.match(entries)).map((e) => e.uid));
      const added = entries.filter((e) => matching.has(e.uid) && !context.members.has(e.uid));
      const left = entries.filter((e) => !matching.has(e.uid) && context.members.has(e.uid));
      if (added.length === 0 && left.length === 0) continue;
      for (const entry of left) context.members.delete(entry.uid);
      for (const entry of added) context.members.add(entry.uid);
      const numberOf = (uid: Uid) => (context.isUid ? uid : positionOf(uid));
      let removeFrom: ContextChange[] = [];
      let addTo: ContextChange[] = [];
      if (context.sort === null) {
        if (left.length > 0)
          removeFrom = [{ position: 0, set: sequenceSetFromNumbers(left.map((e) => numberOf(e.uid))) }];
        if (added.length > 0)
          addTo = [{ position: 0, set: sequenceSetFromNumbers(added.map((e) => numberOf(e.uid))) }];
      } else {
        removeFrom = removeFromSorted(context.sort, new Set(left.map((e) => e.uid)), numberOf);
        addTo = await this.#addToSorted(context.sort, added, numberOf);
      }
      responses.push({ kind: "esearch", tag, uid: context.isUid, removeFrom, addTo });
    }
    return responses;
  }

  /**
   * Inserts `added` into the sort order; each ADDTO position is the message's final position, so the
   * client inserting them in the order given ends with the server's order. Flags are no sort key, so
   * the members already there keep their relative order.
   */
  async #addToSorted(
    sort: { readonly criteria: readonly SortCriterion[]; ordered: MailboxEntry[] },
    added: readonly MailboxEntry[],
    numberOf: (uid: Uid) => number,
  ): Promise<ContextChange[]> {
    if (added.length === 0) return [];
    // Ties go by mailbox order (RFC 5256 §3), which is UID order: sort the union given in that order.
    const union = [...sort.ordered, ...added].sort((a, b) => a.uid - b.uid);
    const keys = await loadSortKeys(this.store, union);
    sort.ordered = sortMessages(union, keys, sort.criteria);
    const isNew = new Set(added.map((e) => e.uid));
    const changes: ContextChange[] = [];
    sort.ordered.forEach((entry, index) => {
      if (isNew.has(entry.uid))
        changes.push({ position: index + 1, set: sequenceSetFromNumbers([numberOf(entry.uid)]) });
    });
    return changes;
  }
}

/**
 * Takes `gone` out of a sorted context: REMOVEFROM pairs from the highest position down, so each
 * position is still right when the client applies them in the order given.
 */
function removeFromSorted(
  sort: { ordered: MailboxEntry[] },
  gone: ReadonlySet<Uid>,
  numberOf: (uid: Uid) => number,
): ContextChange[] {
  if (gone.size === 0) return [];
  const changes: ContextChange[] = [];
  const kept: MailboxEntry[] = [];
  sort.ordered.forEach((entry, index) => {
    if (gone.has(entry.uid))
      changes.push({ position: index + 1, set: sequenceSetFromNumbers([numberOf(entry.uid)]) });
    else kept.push(entry);
  });
  sort.ordered = kept;
  return changes.reverse();
}

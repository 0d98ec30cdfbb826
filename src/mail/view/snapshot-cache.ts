// The entries of recently opened mailboxes, kept in this process and brought up to date from the store's
// change log at each open (ARCHITECTURE.md "How changes reach every session"), so opening a snapshot
// (IMAP SELECT, POP3 maildrop) costs the changes since the last open instead of reading every entry.
// Entries are immutable records shared by every snapshot; each caller gets its own array of them.
import type { AccountId, MailboxId, ModSeq } from "../../kit/ids.js";
import { MailError } from "../../kit/mail-error.js";
import type { MailboxChanges, MailboxEntry, MailboxRecord, MailStore } from "../../store/mail-store.js";

/** A mailbox's entries as of `seenModSeq`: every change up to it is reflected, later ones are not. */
export interface MailboxSnapshot {
  readonly mailbox: MailboxRecord;
  /** Ascending by UID; the caller's own array. */
  readonly entries: MailboxEntry[];
  readonly seenModSeq: ModSeq;
}

interface CachedMailbox {
  readonly uidValidity: number;
  entries: MailboxEntry[];
  seenModSeq: ModSeq;
  /** Opens of one mailbox run one after another, so change sets are applied in the order they were read. */
  turn: Promise<unknown>;
}

/** About 200 bytes each: the default keeps the cache near 100 MB at most. */
const DEFAULT_MAX_CACHED_ENTRIES = 500_000;

export class SnapshotCache {
  /** In least-recently-opened order (a Map keeps insertion order; an open re-inserts). */
  readonly #byMailbox = new Map<MailboxId, CachedMailbox>();
  #cachedEntries = 0;

  constructor(
    private readonly store: MailStore,
    private readonly maxCachedEntries = DEFAULT_MAX_CACHED_ENTRIES,
  ) {}

  /** The mailbox and its entries now; rejects with nonexistent when the mailbox is gone. */
  async open(accountId: AccountId, mailboxId: MailboxId): Promise<MailboxSnapshot> {
    const mailbox = await this.store.mailboxes.get(accountId, mailboxId);
    if (!mailbox) throw new MailError("nonexistent", "Mailbox does not exist");
    let cached = this.#byMailbox.get(mailboxId);
    if (cached !== undefined && cached.uidValidity !== mailbox.uidValidity) {
      this.#forget(mailboxId);
      cached = undefined;
    }
    if (cached === undefined) {
      // Read after the mailbox row, so the entries hold at least every change up to its modseq.
      const entries = await this.store.messages.listEntries(mailboxId);
      this.#remember(mailboxId, {
        uidValidity: mailbox.uidValidity,
        entries,
        seenModSeq: mailbox.highestModSeq,
        turn: Promise.resolve(),
      });
      return { mailbox, entries: entries.slice(), seenModSeq: mailbox.highestModSeq };
    }
    const current = cached;
    const refreshed = current.turn.then(() => this.#catchUp(mailboxId, current));
    current.turn = refreshed.catch(() => {});
    await refreshed;
    this.#remember(mailboxId, current);
    return { mailbox, entries: current.entries.slice(), seenModSeq: current.seenModSeq };
  }

  /**
   * A session changed flags of this mailbox and got the changed entries back (one mutation, one modseq):
   * when that change directly follows what the cache has seen, nothing else happened in between (every
   * change of the account takes the next modseq), so the cache applies it instead of reading it back from
   * the change log at the next open (a POP3 pull that set \Seen on 10,000 messages: 10,000 rows). Runs in
   * turn with the opens; does nothing when the cache does not hold the mailbox or has moved on.
   */
  noteFlagChange(mailboxId: MailboxId, changed: readonly MailboxEntry[]): void {
    const cached = this.#byMailbox.get(mailboxId);
    const modSeq = changed[0]?.modSeq;
    if (cached === undefined || modSeq === undefined) return;
    if (changed.some((entry) => entry.modSeq !== modSeq || entry.mailboxId !== mailboxId)) return;
    cached.turn = cached.turn.then(() => {
      if (cached.seenModSeq + 1 !== modSeq) return;
      const at: number[] = [];
      for (const entry of changed) {
        const index = firstIndexWithUidAtLeast(cached.entries, entry.uid);
        if (cached.entries[index]?.uid !== entry.uid) return;
        at.push(index);
      }
      changed.forEach((entry, i) => {
        const index = at[i] as number;
        const old = cached.entries[index] as MailboxEntry;
        // A flag update leaves the blob and CRLF size out (mail-store.ts); the email never changes.
        cached.entries[index] = { ...old, flags: entry.flags, modSeq: entry.modSeq };
      });
      cached.seenModSeq = modSeq;
    });
  }

  async #catchUp(mailboxId: MailboxId, cached: CachedMailbox): Promise<void> {
    const changes = await this.store.changes.mailboxChangesSince(
      mailboxId,
      cached.uidValidity,
      cached.seenModSeq,
    );
    if (changes.isGone) {
      this.#forget(mailboxId);
      throw new MailError("nonexistent", "Mailbox does not exist");
    }
    const before = cached.entries.length;
    cached.entries = applyChanges(cached.entries, changes);
    cached.seenModSeq = changes.highestModSeq;
    this.#cachedEntries += cached.entries.length - before;
  }

  #remember(mailboxId: MailboxId, cached: CachedMailbox): void {
    if (this.#byMailbox.get(mailboxId) !== cached) {
      this.#forget(mailboxId);
      this.#cachedEntries += cached.entries.length;
    }
    this.#byMailbox.delete(mailboxId);
    this.#byMailbox.set(mailboxId, cached);
    for (const [id, oldest] of this.#byMailbox) {
      if (this.#cachedEntries <= this.maxCachedEntries || id === mailboxId) break;
      this.#byMailbox.delete(id);
      this.#cachedEntries -= oldest.entries.length;
    }
  }

  #forget(mailboxId: MailboxId): void {
    const cached = this.#byMailbox.get(mailboxId);
    if (cached === undefined) return;
    this.#byMailbox.delete(mailboxId);
    this.#cachedEntries -= cached.entries.length;
  }
}

/**
 * `entries` with a change set applied: expunged UIDs removed, changed entries replaced, new ones added.
 * Changes the array given (or returns a new one): callers that share it pass a copy.
 */
export function applyChanges(entries: MailboxEntry[], changes: MailboxChanges): MailboxEntry[] {
  let result = entries;
  if (changes.expungedUids.length > 0) {
    const gone = new Set<number>(changes.expungedUids);
    result = result.filter((entry) => !gone.has(entry.uid));
  }
  for (const entry of changes.entries) {
    const last = result.at(-1);
    if (last === undefined || entry.uid > last.uid) {
      result.push(entry);
      continue;
    }
    const index = firstIndexWithUidAtLeast(result, entry.uid);
    if (result[index]?.uid === entry.uid) result[index] = entry;
    else result.splice(index, 0, entry);
  }
  return result;
}

/** Index of the first entry whose UID is at least `uid` (entries.length if none); entries ascend by UID. */
export function firstIndexWithUidAtLeast(entries: readonly MailboxEntry[], uid: number): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((entries[mid] as MailboxEntry).uid < uid) low = mid + 1;
    else high = mid;
  }
  return low;
}

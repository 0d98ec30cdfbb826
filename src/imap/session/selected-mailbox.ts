// The IMAP side of a selected mailbox: the mail layer's view plus what only IMAP has — sequence numbers
// and sets, \Recent (RFC 3501 §2.3.2: exactly one session sees a message as recent), the saved search
// result (RFC 5182) — and the untagged responses that announce changes (RFC 9051 §7.4, §7.5.1; with
// CONDSTORE the MODSEQ of each change, with QRESYNC VANISHED instead of EXPUNGE, RFC 7162 §3.1, §3.2.10;
// the ADDTO/REMOVEFROM of live searches, RFC 5267 §4).
// A mailbox shared by another account keeps the user's rights (RFC 4314), re-read whenever the mailbox
// changes: lost rights show as a new PERMANENTFLAGS, a lost read right ends the session (§5.1.1).
import type { ModSeq, Uid } from "../../kit/ids.js";
import { MailError } from "../../kit/mail-error.js";
import type { AccessUser, MailboxAccess } from "../../mail/access/mailbox-access.js";
import { type RightSet, rightForFlag } from "../../mail/access/rights.js";
import { MailboxView } from "../../mail/view/mailbox-view.js";
import type { SnapshotCache } from "../../mail/view/snapshot-cache.js";
import {
  type FlagSet,
  type MailboxEntry,
  type MailStore,
  SYSTEM_FLAGS,
  type SystemFlag,
} from "../../store/mail-store.js";
import { SearchContexts } from "../search/search-contexts.js";
import type { ImapResponse } from "../wire/response.js";
import { isInSequenceSet, type SequenceSet, sequenceSetFromNumbers } from "../wire/seqset.js";
import type { Enableable } from "./capabilities.js";
import { toImapFlags } from "./imap-flags.js";
import type { ImapMailbox } from "./mailbox-access.js";
import { RecentUids } from "./recent-uids.js";

export interface SelectOptions {
  readonly isReadOnly: boolean;
  /** IMAP4rev2 sessions have no \Recent (RFC 9051 §2.3.2 removed it). */
  readonly isRev2: boolean;
  /** The session's ENABLEd extensions, read live: CONDSTORE and QRESYNC change how updates are announced. */
  readonly enabled: ReadonlySet<Enableable>;
}

/** The system flags a client may set, in the order SELECT lists them. */
export const PERMANENT_SYSTEM_FLAGS = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"];

const isSystemFlag = (flag: string): flag is SystemFlag => (SYSTEM_FLAGS as readonly string[]).includes(flag);

export class SelectedMailbox {
  readonly #recentUids = new RecentUids();
  /** RFC 5182 `$`: UIDs of the last SEARCH RETURN (SAVE), empty until one ran. */
  #savedResult: readonly Uid[] = [];
  #lastFlags: { flags: FlagSet; isRecent: boolean; list: readonly string[] } | null = null;
  /** Set by change notifications: the next command should poll the change log. */
  #isDirty = false;
  /** RFC 5267 searches kept up to date (RETURN (UPDATE)); they end with this selection. */
  readonly contexts: SearchContexts;
  #rights: RightSet;

  private constructor(
    readonly view: MailboxView,
    readonly isReadOnly: boolean,
    private readonly store: MailStore,
    private readonly isRev2: boolean,
    private readonly enabled: ReadonlySet<Enableable>,
    private readonly target: ImapMailbox,
    private readonly user: AccessUser,
    private readonly access: MailboxAccess,
  ) {
    this.#rights = target.rights;
    this.contexts = new SearchContexts(store);
  }

  /** Opens `target` (already checked for the r right) in the owner's account. */
  static async open(
    store: MailStore,
    snapshots: SnapshotCache,
    access: { readonly user: AccessUser; readonly service: MailboxAccess },
    target: ImapMailbox,
    options: SelectOptions,
  ): Promise<SelectedMailbox> {
    const view = await MailboxView.open(store, snapshots, target.owner.id, target.mailbox.id);
    const selected = new SelectedMailbox(
      view,
      options.isReadOnly,
      store,
      options.isRev2,
      options.enabled,
      target,
      access.user,
      access.service,
    );
    await selected.#claimRecent(view.entries, false);
    return selected;
  }

  /** The name the client selected it by (`Shared/<owner>/<name>` for another account's mailbox). */
  get name(): string {
    return this.target.isOwn ? this.view.mailbox.name : this.target.clientName;
  }

  /** The user's rights on the mailbox as last read (all of them on their own mailbox). */
  get rights(): RightSet {
    return this.#rights;
  }

  /**
   * PERMANENTFLAGS (RFC 9051 §7.1, RFC 4314 §5.1.1: only what this user may change): none when read-only,
   * else the system flags their rights allow, and keywords with \* when they hold w.
   */
  permanentFlags(systemFlags: readonly string[], keywords: readonly string[]): string[] {
    if (this.isReadOnly) return [];
    const rights = this.#rights;
    const system = systemFlags.filter((flag) =>
      rights.has(rightForFlag(isSystemFlag(flag) ? flag : "keyword")),
    );
    return rights.has("w") ? [...system, ...keywords, "\\*"] : system;
  }

  /** Re-reads the rights on another account's mailbox; rejects with noPerm once the read right is gone. */
  async #refreshRights(): Promise<boolean> {
    if (this.target.isOwn) return false;
    const rights = await this.access.rightsOn(this.user, this.target.owner.id, this.view.mailboxId);
    if (!rights.has("r")) {
      this.#rights = rights;
      throw new MailError("noPerm", "Access to the selected mailbox was revoked");
    }
    const isChanged = rights.size !== this.#rights.size || [...rights].some((r) => !this.#rights.has(r));
    this.#rights = rights;
    return isChanged;
  }

  get recentCount(): number {
    return this.#recentUids.size;
  }

  isRecent(uid: Uid): boolean {
    return this.#recentUids.has(uid);
  }

  flagsOf(entry: MailboxEntry): readonly string[] {
    const isRecent = !this.isRev2 && this.#recentUids.has(entry.uid);
    // Neighbouring messages mostly share their flags: the last answer saves the cache lookup.
    const last = this.#lastFlags;
    if (last !== null && last.flags === entry.flags && last.isRecent === isRecent) return last.list;
    const list = toImapFlags(entry.flags, isRecent);
    this.#lastFlags = { flags: entry.flags, isRecent, list };
    return list;
  }

  /**
   * The HIGHESTMODSEQ the client may be told (RFC 7162 §3.1.2.1): every change up to it has been
   * announced. Null while changes read from the log still wait to be announced.
   */
  announcedHighestModSeq(): ModSeq | null {
    return this.view.hasPendingChanges ? null : this.view.highestModSeq;
  }

  /** Once CONDSTORE is on, every FETCH response carries the message's MODSEQ (RFC 7162 §3.1). */
  get isCondstore(): boolean {
    return this.enabled.has("CONDSTORE");
  }

  /**
   * UIDs expunged after `sinceModSeq` that this session no longer shows, limited to `uids` when given
   * (`*` standing for the last UID ever assigned), for VANISHED (EARLIER) (RFC 7162 §3.2.5, §3.2.6).
   * Tombstones are kept as long as the mailbox exists, so the answer is exact for any modseq of this
   * UIDVALIDITY; one still shown here is announced later, as any other session's expunge.
   */
  async vanishedSince(sinceModSeq: ModSeq, uids: SequenceSet | null): Promise<Uid[]> {
    const mailbox = this.view.mailbox;
    const changes = await this.store.changes.mailboxChangesSince(
      mailbox.id,
      mailbox.uidValidity,
      sinceModSeq,
    );
    if (changes.isGone) throw new MailError("nonexistent", "The selected mailbox was deleted");
    const lastAssigned = Math.max(mailbox.uidNext, changes.uidNext) - 1;
    const named = uids?.kind === "ranges" ? uids : null;
    const saved = uids?.kind === "saved" ? new Set(this.#savedResult) : null;
    return changes.expungedUids.filter(
      (uid) =>
        this.view.positionOf(uid) === 0 &&
        (named === null || isInSequenceSet(named, uid, lastAssigned)) &&
        (saved === null || saved.has(uid)),
    );
  }

  /**
   * Records flag changes this session made itself (STORE, FETCH setting \Seen): they are no news to the
   * client, but may move messages into or out of its live searches.
   */
  applyOwnChanges(entries: readonly MailboxEntry[]): void {
    this.view.applyOwnChanges(entries);
    this.contexts.noteOwnChanges(entries);
  }

  markDirty(): void {
    this.#isDirty = true;
  }

  /**
   * Whether collectUpdates (without `force`) may have anything to say: a change was heard, changes wait
   * to be announced, live searches hold own changes, or the read right is gone. After most commands of
   * a busy session (a pipelined download's FETCHes) there is none, and no await is spent on asking.
   */
  get mayHaveUpdates(): boolean {
    return (
      this.#isDirty || this.view.hasPendingChanges || this.contexts.hasOwnChanges || !this.#rights.has("r")
    );
  }

  get savedResult(): readonly Uid[] {
    return this.#savedResult;
  }

  saveResult(uids: readonly Uid[]): void {
    this.#savedResult = uids;
  }

  /**
   * The entries a sequence set names, in ascending position order without duplicates. Message numbers
   * beyond the mailbox are a client error (BAD); UIDs that do not exist are skipped (RFC 9051 §6.4.8).
   */
  resolve(set: SequenceSet, isUid: boolean): MailboxEntry[] {
    const entries = this.view.entries;
    if (set.kind === "saved") {
      const saved = new Set(this.#savedResult);
      return entries.filter((e) => saved.has(e.uid));
    }
    const only = set.ranges.length === 1 ? set.ranges[0] : undefined;
    if (isUid && only !== undefined && only.from === only.to && only.from !== "*") {
      // One UID (a pipelined download's FETCH): one search, no spans to sort and merge.
      const entry = entries[this.view.firstIndexWithUidAtLeast(only.from)];
      return entry?.uid === only.from ? [entry] : [];
    }
    const spans: Span[] = [];
    if (isUid) {
      // Entries are in ascending UID order, so each range is a slice found by binary search (a client
      // fetching single UIDs of a large mailbox must not cost a scan of the whole snapshot each time).
      const largest = entries.at(-1)?.uid ?? 0;
      for (const range of set.ranges) {
        const a = range.from === "*" ? largest : range.from;
        const b = range.to === "*" ? largest : range.to;
        const start = this.view.firstIndexWithUidAtLeast(Math.min(a, b));
        const end =
          a === b
            ? start + (entries[start]?.uid === a ? 1 : 0)
            : this.view.firstIndexWithUidAtLeast(Math.max(a, b) + 1);
        spans.push({ start, end });
      }
    } else {
      const count = entries.length;
      for (const range of set.ranges) {
        const a = range.from === "*" ? count : range.from;
        const b = range.to === "*" ? count : range.to;
        const low = Math.min(a, b);
        const high = Math.max(a, b);
        if (high > count || low < 1) throw new MailError("invalidInput", "Invalid message sequence number");
        spans.push({ start: low - 1, end: high });
      }
    }
    return entriesOfSpans(entries, spans);
  }

  /**
   * Reads others' changes (always when `force`, else only after a notification) and returns the untagged
   * responses that announce them. Expunges wait while `canExpunge` is false (during FETCH, STORE,
   * SEARCH), keeping sequence numbers stable for the client. `onAdded` hears the UIDs announced as new
   * (NOTIFY's MessageNew fetches them).
   */
  async collectUpdates(
    canExpunge: boolean,
    force: boolean,
    onAdded?: (uids: readonly Uid[]) => void,
  ): Promise<ImapResponse[]> {
    if (!this.#rights.has("r")) throw new MailError("noPerm", "Access to the selected mailbox was revoked");
    let isRightsChanged = false;
    if (force || this.#isDirty) {
      this.#isDirty = false;
      isRightsChanged = await this.#refreshRights();
      await this.view.poll();
    }
    const rightsNotice: ImapResponse[] = isRightsChanged
      ? [
          {
            kind: "condition",
            status: "OK",
            code: { kind: "PERMANENTFLAGS", flags: this.permanentFlags(PERMANENT_SYSTEM_FLAGS, []) },
            text: "Your rights on this mailbox changed",
          },
        ]
      : [];
    if (!this.view.hasPendingChanges) {
      return this.contexts.hasOwnChanges
        ? [...rightsNotice, ...(await this.contexts.changed([], (uid) => this.view.positionOf(uid)))]
        : rightsNotice;
    }
    const update = this.view.flush(canExpunge);
    // Live searches lose expunged messages before the EXPUNGEs renumber the rest (RFC 5267 §4.3).
    const responses: ImapResponse[] = [...rightsNotice, ...this.contexts.expunged(update.expunged)];
    responses.push(...this.#announceExpunges(update.expunged));
    if (update.added.length > 0) {
      await this.#claimRecent(update.added, update.added.length < update.count);
      responses.push({ kind: "exists", count: update.count });
      if (!this.isRev2) responses.push({ kind: "recent", count: this.#recentUids.size });
      onAdded?.(update.added.map((entry) => entry.uid));
    }
    for (const { entry, position } of update.flagChanges) {
      responses.push({
        kind: "fetch",
        sequence: position,
        items: [
          { kind: "UID", uid: entry.uid },
          { kind: "FLAGS", flags: this.flagsOf(entry) },
          ...(this.isCondstore ? [{ kind: "MODSEQ", modSeq: entry.modSeq } as const] : []),
        ],
      });
    }
    const changed = [...update.added, ...update.flagChanges.map((change) => change.entry)];
    responses.push(...(await this.contexts.changed(changed, (uid) => this.view.positionOf(uid))));
    return responses;
  }

  /** Announces this session's own expunge: EXPUNGE for each removed message, highest position first. */
  expungedHere(uids: readonly Uid[]): ImapResponse[] {
    const removed = this.view.removeOwnExpunges(uids);
    return [...this.contexts.expunged(removed), ...this.#announceExpunges(removed)];
  }

  /** EXPUNGE per message (highest position first), or one VANISHED of their UIDs once QRESYNC is on. */
  #announceExpunges(removed: readonly { uid: Uid; position: number }[]): ImapResponse[] {
    for (const { uid } of removed) this.#recentUids.expunged(uid);
    // RFC 9586 §3: UIDONLY sessions get VANISHED too, never a message number.
    if (!this.enabled.has("QRESYNC") && !this.enabled.has("UIDONLY")) {
      return removed.map(({ position }) => ({ kind: "expunge", sequence: position }) as const);
    }
    if (removed.length === 0) return [];
    return [{ kind: "vanished", isEarlier: false, uids: sequenceSetFromNumbers(removed.map((r) => r.uid)) }];
  }

  /**
   * Claims \Recent for new entries; a read-only (EXAMINE) session sees recent messages without taking
   * them. IMAP4rev2 sessions claim too, without showing it, so rev1 sessions opened later do not see
   * messages as new that a rev2 client already saw.
   */
  async #claimRecent(entries: readonly MailboxEntry[], followsSnapshot: boolean): Promise<void> {
    if (entries.length === 0) return;
    const lastUid = (entries.at(-1) as MailboxEntry).uid;
    const floor = this.isReadOnly
      ? this.view.mailbox.recentUidFloor
      : await this.store.mailboxes.claimRecent(
          this.view.accountId,
          this.view.mailboxId,
          (lastUid + 1) as Uid,
        );
    const uids = entries.map((e) => e.uid);
    // The new entries directly follow the snapshot's earlier ones: when its last one was recent too,
    // the range just grows.
    const previous = followsSnapshot ? this.view.entryAt(this.view.count - entries.length) : undefined;
    this.#recentUids.claim(uids, floor, previous !== undefined && this.#recentUids.has(previous.uid));
  }
}

/** Indexes [start, end) of a snapshot's entries. */
interface Span {
  start: number;
  end: number;
}

/**
 * The entries of `spans`, in position order, each once. One span (`1:*`, a range, a single message) is
 * one slice of the snapshot: an array grown entry by entry to a resync's 100,000 was reallocated at
 * every growth, in fresh memory each time (most of the resync's page faults).
 */
function entriesOfSpans(entries: readonly MailboxEntry[], spans: Span[]): MailboxEntry[] {
  spans.sort((x, y) => x.start - y.start);
  const merged: Span[] = [];
  for (const { start, end } of spans) {
    if (end <= start) continue;
    const last = merged.at(-1);
    if (last !== undefined && start <= last.end) last.end = Math.max(last.end, end);
    else merged.push({ start, end });
  }
  const only = merged[0];
  if (merged.length === 1 && only !== undefined) return entries.slice(only.start, only.end);
  const result: MailboxEntry[] = [];
  for (const { start, end } of merged)
    for (let at = start; at < end; at++) result.push(entries[at] as MailboxEntry);
  return result;
}

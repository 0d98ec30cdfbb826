// The maildrop of one POP3 session (RFC 1939 §5): the INBOX as it was at login, numbered 1..n for the
// whole session, with the session's deletion marks (applied only in UPDATE) and the \Seen marks still to
// be written. Messages delivered later stay invisible until the next login.
import type { BlobHash, EmailId, ModSeq, Uid } from "../../kit/ids.js";
import type { SnapshotCache } from "../../mail/view/snapshot-cache.js";
import type { EmailSummary, MailboxEntry, MailboxRecord, MailStore } from "../../store/mail-store.js";
import { ExpungeWatch } from "./expunge-watch.js";

export type MessageLookup =
  | { readonly kind: "found"; readonly entry: MailboxEntry }
  | { readonly kind: "noSuchMessage" }
  | { readonly kind: "deleted" };

/** A message's blob and its size in bytes as stored. */
export interface MessageContent {
  readonly blobHash: BlobHash;
  readonly size: number;
}

export interface MaildropStat {
  readonly count: number;
  readonly octets: number;
}

export class Maildrop {
  readonly #deleted = new Set<number>();
  readonly #seenPending = new Set<Uid>();
  readonly #seenWritten = new Set<Uid>();
  #uidValidityHexText: string | undefined;

  private constructor(
    readonly mailbox: MailboxRecord,
    private readonly entries: readonly MailboxEntry[],
    private readonly octets: readonly number[],
    /** Where each message's bytes are, read once at login (undefined: its email was already gone). */
    private readonly contents: readonly (MessageContent | undefined)[],
    private readonly expunges: ExpungeWatch,
    /** UIDLs an import brought (docs/operations.md), which replace the computed ones. */
    private readonly importedUidls: ReadonlyMap<Uid, string>,
  ) {}

  /**
   * Snapshots the INBOX through the process's snapshot cache (a repeated login costs the changes since
   * the last open, not a read of every entry); the entries carry their blobs and octet counts, so only
   * those that lack them (rare) cost a summary read. Octet counts are what RETR sends before
   * dot-stuffing (bare LF counted as CRLF), RFC 1939 §5. Other sessions' expunges are watched until
   * `signal` aborts (the connection ends).
   */
  static async open(
    store: MailStore,
    snapshots: SnapshotCache,
    inbox: MailboxRecord,
    signal: AbortSignal,
  ): Promise<Maildrop> {
    const { mailbox, entries } = await snapshots.open(inbox.accountId, inbox.id);
    const lacking = entries.filter((e) => e.blobHash === undefined || e.crlfSize === undefined);
    const summaries =
      lacking.length === 0
        ? new Map<EmailId, EmailSummary>()
        : await store.messages.getEmailSummaries(lacking.map((e) => e.emailId));
    const octets = entries.map((e) => e.crlfSize ?? summaries.get(e.emailId)?.crlfSize ?? e.size);
    const contents = entries.map((e): MessageContent | undefined => {
      if (e.blobHash !== undefined) return { blobHash: e.blobHash, size: e.size };
      const summary = summaries.get(e.emailId);
      return summary && { blobHash: summary.blobHash, size: summary.size };
    });
    const importedUidls = await store.messages.listImportedUidls(mailbox.id);
    return new Maildrop(
      mailbox,
      entries,
      octets,
      contents,
      new ExpungeWatch(store, mailbox, signal),
      importedUidls,
    );
  }

  /** True if another session expunged this message after the snapshot was taken. */
  isExpungedElsewhere(entry: MailboxEntry): Promise<boolean> {
    return this.expunges.isExpunged(entry.uid);
  }

  /** As isExpungedElsewhere, answered without an await when nothing changed since the last look; else null. */
  isExpungedElsewhereNow(entry: MailboxEntry): boolean | null {
    return this.expunges.isExpungedNow(entry.uid);
  }

  /** The session committed a change with this modseq (seen-writer.ts); see ExpungeWatch.noteOwnChange. */
  noteOwnChange(modSeq: ModSeq): void {
    this.expunges.noteOwnChange(modSeq);
  }

  /** The stored bytes of this message (1-based number), so RETR needs no store round trip to find them. */
  contentOf(messageNumber: number): MessageContent | undefined {
    return this.contents[messageNumber - 1];
  }

  /** The octets RETR sends for this message (1-based number). */
  octetsOf(messageNumber: number): number {
    return this.octets[messageNumber - 1] ?? 0;
  }

  /** Messages in the snapshot, deleted ones included: message numbers run 1..size. */
  get size(): number {
    return this.entries.length;
  }

  lookup(messageNumber: number): MessageLookup {
    const entry = this.entries[messageNumber - 1];
    if (entry === undefined || messageNumber < 1) return { kind: "noSuchMessage" };
    if (this.#deleted.has(messageNumber)) return { kind: "deleted" };
    return { kind: "found", entry };
  }

  /** RFC 1939 §5 STAT: messages not marked deleted and their size in octets. */
  stat(): MaildropStat {
    let count = 0;
    let octets = 0;
    this.entries.forEach((_entry, index) => {
      if (this.#deleted.has(index + 1)) return;
      count++;
      octets += this.octetsOf(index + 1);
    });
    return { count, octets };
  }

  /** The messages not marked deleted, with their numbers, in order. */
  *visible(): Generator<{ readonly number: number; readonly entry: MailboxEntry }> {
    for (let index = 0; index < this.entries.length; index++) {
      const entry = this.entries[index] as MailboxEntry;
      if (!this.#deleted.has(index + 1)) yield { number: index + 1, entry };
    }
  }

  markDeleted(messageNumber: number): void {
    this.#deleted.add(messageNumber);
  }

  /** RFC 1939 §5 RSET: unmarks every deletion. */
  resetDeletions(): void {
    this.#deleted.clear();
  }

  /** UIDs to expunge at QUIT, ascending. */
  deletedUids(): Uid[] {
    return [...this.#deleted].sort((a, b) => a - b).map((n) => (this.entries[n - 1] as MailboxEntry).uid);
  }

  /**
   * The unique-id listing value (RFC 1939 §7 UIDL): the UID and UIDVALIDITY as 8 upper-case hex digits
   * each, Dovecot's default `%08Xu%08Xv`. Both are fixed for an entry's life and never reused, so the
   * value is stable across sessions and restarts, unaffected by flag changes, and unique in the mailbox.
   * A message imported with its old server's UIDL (dovecot-uidlist's P field) keeps that one instead.
   */
  uidl(entry: MailboxEntry): string {
    return this.importedUidls.get(entry.uid) ?? hex8(entry.uid) + this.#uidValidityHex;
  }

  /** The UIDL's second half, the same for every message: made once, not once per line of a listing. */
  get #uidValidityHex(): string {
    this.#uidValidityHexText ??= hex8(this.mailbox.uidValidity);
    return this.#uidValidityHexText;
  }

  /** Remembers that RETR sent this message, so \Seen gets set (once) at the next flush. */
  markRetrieved(entry: MailboxEntry): void {
    if (entry.flags.system.has("\\Seen") || this.#seenWritten.has(entry.uid)) return;
    this.#seenPending.add(entry.uid);
  }

  /** The UIDs still to mark \Seen, ascending; they count as written from now on. */
  takeSeenPending(): Uid[] {
    const uids = [...this.#seenPending].sort((a, b) => a - b);
    this.#seenPending.clear();
    for (const uid of uids) this.#seenWritten.add(uid);
    return uids;
  }

  get hasSeenPending(): boolean {
    return this.#seenPending.size > 0;
  }
}

const hex8 = (n: number): string => n.toString(16).toUpperCase().padStart(8, "0");

// Which messages of a POP3 maildrop another session has expunged since login (RETR and TOP must then say
// -ERR, RFC 1939 §5), known without a store round trip per message: the change notifier says when the
// mailbox moved past what the watch has seen, and only then is the change log read, once for however
// many RETRs follow. The session's own \Seen writes are no reason to look (noteOwnChange).
import type { ModSeq, Uid } from "../../kit/ids.js";
import type { MailboxRecord, MailStore } from "../../store/mail-store.js";

export class ExpungeWatch {
  readonly #expunged = new Set<Uid>();
  #seenModSeq: ModSeq;
  /** The highest modseq a notification announced for this mailbox (or for the whole account). */
  #announcedModSeq = 0;
  /** A change committed between the snapshot and the subscription is read at first use. */
  #isSnapshotUnchecked = true;
  #isMailboxGone = false;

  /** Watches `mailbox` (as the maildrop snapshot read it) until `signal` aborts (the connection ends). */
  constructor(
    private readonly store: MailStore,
    private readonly mailbox: MailboxRecord,
    signal: AbortSignal,
  ) {
    this.#seenModSeq = mailbox.highestModSeq;
    if (signal.aborted) return;
    const unsubscribe = store.notifier.subscribe(mailbox.accountId, (event) => {
      if (event.mailboxId !== null && event.mailboxId !== mailbox.id) return;
      this.#announcedModSeq = Math.max(this.#announcedModSeq, event.modSeq);
    });
    signal.addEventListener("abort", unsubscribe, { once: true });
  }

  get #isDirty(): boolean {
    return this.#isSnapshotUnchecked || this.#announcedModSeq > this.#seenModSeq;
  }

  /**
   * The session itself committed a change with this modseq (its \Seen flags). When it directly follows
   * what the watch has seen, nothing else can have happened in between (every change of the account
   * takes the next modseq), so the watch moves past it without reading the change log back.
   */
  noteOwnChange(modSeq: ModSeq): void {
    if (modSeq !== this.#seenModSeq + 1) return;
    this.#seenModSeq = modSeq;
    this.#isSnapshotUnchecked = false;
  }

  /** isExpunged without an await, or null when a change notification asks for a look at the change log. */
  isExpungedNow(uid: Uid): boolean | null {
    if (this.#isDirty) return null;
    return this.#isMailboxGone || this.#expunged.has(uid);
  }

  /** True if the message with this UID was expunged (or its mailbox deleted) since the snapshot. */
  async isExpunged(uid: Uid): Promise<boolean> {
    if (this.#isDirty) {
      this.#isSnapshotUnchecked = false;
      const announced = this.#announcedModSeq;
      const changes = await this.store.changes.mailboxChangesSince(
        this.mailbox.id,
        this.mailbox.uidValidity,
        this.#seenModSeq,
      );
      if (changes.isGone) this.#isMailboxGone = true;
      for (const expunged of changes.expungedUids) this.#expunged.add(expunged);
      // What was announced before the read is in it; a gone mailbox stays gone, whatever comes later.
      this.#seenModSeq = Math.max(changes.highestModSeq, announced) as ModSeq;
    }
    return this.#isMailboxGone || this.#expunged.has(uid);
  }
}

// Which messages of a POP3 maildrop another session has expunged since login (RETR and TOP must then say
// -ERR, RFC 1939 §5), known without a store round trip per message: the change notifier marks the watch
// dirty, and only then is the change log read, once for however many RETRs follow.
import type { ModSeq, Uid } from "../../kit/ids.js";
import type { MailboxRecord, MailStore } from "../../store/mail-store.js";

export class ExpungeWatch {
  readonly #expunged = new Set<Uid>();
  #seenModSeq: ModSeq;
  /** Starts dirty: a change committed between the snapshot and the subscription is read at first use. */
  #isDirty = true;
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
      if (event.mailboxId === null || event.mailboxId === mailbox.id) this.#isDirty = true;
    });
    signal.addEventListener("abort", unsubscribe, { once: true });
  }

  /** isExpunged without an await, or null when a change notification asks for a look at the change log. */
  isExpungedNow(uid: Uid): boolean | null {
    if (this.#isDirty) return null;
    return this.#isMailboxGone || this.#expunged.has(uid);
  }

  /** True if the message with this UID was expunged (or its mailbox deleted) since the snapshot. */
  async isExpunged(uid: Uid): Promise<boolean> {
    if (this.#isDirty) {
      this.#isDirty = false;
      const changes = await this.store.changes.mailboxChangesSince(
        this.mailbox.id,
        this.mailbox.uidValidity,
        this.#seenModSeq,
      );
      if (changes.isGone) this.#isMailboxGone = true;
      for (const expunged of changes.expungedUids) this.#expunged.add(expunged);
      this.#seenModSeq = changes.highestModSeq;
    }
    return this.#isMailboxGone || this.#expunged.has(uid);
  }
}

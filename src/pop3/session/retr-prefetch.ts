// Read-ahead for pipelined RETR (RFC 2449 §6.6 PIPELINING): while one message is being sent, the small
// messages named by the RETR commands already waiting in the input are read from the blob store, so a
// client downloading the whole maildrop does not pay one file-open round trip per message in sequence.

import type { MessageService } from "../../mail/message-service.js";
import type { MailboxEntry, MailStore } from "../../store/mail-store.js";

/** Messages up to this size are read ahead whole; larger ones are streamed when their turn comes. */
export const PREFETCH_MAX_MESSAGE_BYTES = 256 * 1024;
/** How many pipelined RETRs are read ahead at most (bounds memory to about 2 MiB per session). */
export const PREFETCH_MAX_AHEAD = 8;

export class RetrPrefetch {
  readonly #pending = new Map<number, Promise<Buffer | null>>();

  constructor(
    private readonly store: MailStore,
    private readonly messages: MessageService,
  ) {}

  /** The read-ahead bytes of this message, if it was scheduled; removes it from the queue. */
  take(messageNumber: number): Promise<Buffer | null> | undefined {
    const pending = this.#pending.get(messageNumber);
    this.#pending.delete(messageNumber);
    return pending;
  }

  /** Starts reading these upcoming messages (number → entry), within the bounds above. */
  async schedule(
    upcoming: readonly { readonly number: number; readonly entry: MailboxEntry }[],
  ): Promise<void> {
    const wanted = upcoming.filter(
      ({ number, entry }) => !this.#pending.has(number) && entry.size <= PREFETCH_MAX_MESSAGE_BYTES,
    );
    const room = PREFETCH_MAX_AHEAD - this.#pending.size;
    if (room <= 0 || wanted.length === 0) return;
    const chosen = wanted.slice(0, room);
    const summaries = await this.store.messages.getEmailSummaries(chosen.map(({ entry }) => entry.emailId));
    for (const { number, entry } of chosen) {
      const summary = summaries.get(entry.emailId);
      if (summary === undefined) continue;
      // A failed read-ahead is not an error: the message is streamed normally when its turn comes.
      this.#pending.set(
        number,
        this.messages.readAll(summary.blobHash).catch(() => null),
      );
    }
  }

  /** Forgets everything read ahead (end of session, or the client went another way). */
  clear(): void {
    this.#pending.clear();
  }
}

// The outbound queue for operators (`postfach queue list|retry|delete`, docs/submission.md): queued
// messages with their recipients, attempts and last errors; retry makes them due now (a running server
// picks them up at its next poll); delete drops them without a bounce.
import { MailError } from "../kit/mail-error.js";
import type { MailStore, OutboundRecord } from "../store/mail-store.js";

export interface QueuedRecipient {
  readonly id: string;
  readonly recipient: string;
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly lastError: string | null;
}

export interface QueuedMessage {
  /** The message's queue id: retry and delete take it or a recipient's id. */
  readonly id: string;
  readonly sender: string;
  readonly size: number;
  readonly queuedAt: string;
  readonly recipients: readonly QueuedRecipient[];
}

export class QueueAdmin {
  constructor(private readonly store: MailStore) {}

  async list(): Promise<QueuedMessage[]> {
    const messages = new Map<string, { first: OutboundRecord; recipients: QueuedRecipient[] }>();
    for (const record of await this.store.outbound.list()) {
      const entry = messages.get(record.messageId) ?? { first: record, recipients: [] };
      entry.recipients.push({
        id: record.id,
        recipient: record.recipient,
        attempts: record.attempts,
        nextAttemptAt: new Date(record.nextAttemptAtMs).toISOString(),
        lastError: record.lastError,
      });
      messages.set(record.messageId, entry);
    }
    return [...messages.values()].map(({ first, recipients }) => ({
      id: first.messageId,
      sender: first.returnPath,
      size: first.size,
      queuedAt: new Date(first.createdAtMs).toISOString(),
      recipients,
    }));
  }

  /** Makes the given messages or recipients (all when `ids` is empty) due now; nonexistent if none matched. */
  async retry(ids: readonly string[]): Promise<number> {
    const count = await this.store.outbound.retryNow(Date.now(), ids.length === 0 ? undefined : ids);
    if (count === 0 && ids.length > 0)
      throw new MailError("nonexistent", `Nothing queued as ${ids.join(", ")}`);
    return count;
  }

  /** Removes messages or recipients from the queue, unsent and without a DSN. */
  async delete(ids: readonly string[]): Promise<number> {
    const count = await this.store.outbound.remove(ids);
    if (count === 0) throw new MailError("nonexistent", `Nothing queued as ${ids.join(", ")}`);
    return count;
  }
}

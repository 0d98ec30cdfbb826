// Puts a message in the durable outbound queue (store.outbound, docs/submission.md): its bytes stored
// once as a blob (durable before the rows commit), one row per recipient under one message id, due now.
// Submission queues here; Sieve's generated mail (redirects, vacation replies) reaches it through submission.
import type { AccountId } from "../kit/ids.js";
import { newObjectId } from "../kit/ids.js";
import type { MailStore, OutboundRecord } from "../store/mail-store.js";

export interface OutboundMessage {
  readonly accountId: AccountId | null;
  /** The JMAP EmailSubmission whose deliveryStatus follows these recipients. */
  readonly submissionId?: string | null;
  /** MAIL FROM; "" for the null reverse-path. */
  readonly returnPath: string;
  readonly recipients: readonly string[];
  /** The bytes to send, trace fields and signature included. */
  readonly data: Uint8Array;
  /** The id the queue ids derive from ("Q" + id); a new one when absent. */
  readonly id?: string;
}

/** Resolves to the queued rows, in the order of `recipients`, once they are durable. */
export async function enqueueOutbound(store: MailStore, message: OutboundMessage): Promise<OutboundRecord[]> {
  const { hash, size } = await store.blobs.put(message.data);
  const id = message.id ?? newObjectId("E").slice(1, 13);
  const nowMs = Date.now();
  const records: OutboundRecord[] = message.recipients.map((recipient, i) => ({
    id: `Q${id}${i.toString(36)}`,
    messageId: `Q${id}`,
    accountId: message.accountId,
    submissionId: message.submissionId ?? null,
    returnPath: message.returnPath,
    recipient,
    blobHash: hash,
    size,
    createdAtMs: nowMs,
    nextAttemptAtMs: nowMs,
    attempts: 0,
    lastError: null,
  }));
  await store.outbound.enqueue(records);
  return records;
}

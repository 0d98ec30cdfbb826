// Message use cases every protocol shares: storing a new message (blob, index, entry) and reading
// message content by byte range. APPEND, LMTP/SMTP delivery, import and JMAP upload all come through here.
import type { AccountId, BlobHash, MailboxId } from "../kit/ids.js";
import { indexMessage } from "../mime/index/index-message.js";
import type { AppendResult, FlagSet, MailStore } from "../store/mail-store.js";

export interface MessageLimits {
  readonly maxMessageBytes: number;
}

export interface NewMessageOptions {
  readonly flags?: FlagSet;
  /** INTERNALDATE; defaults to now. */
  readonly internalDateMs?: number;
}

const NO_FLAGS: FlagSet = { system: new Set(), keywords: [] };

export class MessageService {
  constructor(
    private readonly store: MailStore,
    private readonly limits: MessageLimits,
  ) {}

  /**
   * Stores a message and adds it to a mailbox. The blob is durable before the entry commits, so an
   * acknowledged message survives a crash and a crash before the commit leaves only garbage blobs.
   * Rejects with tooBig, overQuota or nonexistent.
   */
  async append(
    accountId: AccountId,
    mailboxId: MailboxId,
    source: Uint8Array | AsyncIterable<Uint8Array>,
    options: NewMessageOptions = {},
  ): Promise<AppendResult> {
    const { hash } = await this.store.blobs.put(source, this.limits.maxMessageBytes);
    // A streamed message is read back once to index it; its size is bounded by maxMessageBytes.
    const raw = source instanceof Uint8Array ? source : await this.store.blobs.read(hash);
    return this.store.messages.append(accountId, mailboxId, {
      blobHash: hash,
      index: indexMessage(raw),
      flags: options.flags ?? NO_FLAGS,
      internalDateMs: options.internalDateMs ?? Date.now(),
    });
  }

  /** Bytes [start, end) of a message, streamed from the blob store. */
  readRange(blobHash: BlobHash, start: number, end: number): AsyncIterable<Uint8Array> {
    return this.store.blobs.readRange(blobHash, start, end);
  }

  readAll(blobHash: BlobHash): Promise<Buffer> {
    return this.store.blobs.read(blobHash);
  }
}

// Message use cases every protocol shares: storing a new message (blob, index, entry) and reading
// message content by byte range. APPEND, REPLACE, LMTP/SMTP delivery, import and JMAP upload all come
// through here.
import type { AccountId, BlobHash, MailboxId, Uid } from "../kit/ids.js";
import { MailError } from "../kit/mail-error.js";
import { BufferPool, HeldBuffers } from "../kit/reused-buffers.js";
import { indexMessage } from "../mime/index/index-message.js";
import type {
  AppendResult,
  BlobRange,
  CopyResult,
  FlagSet,
  MailboxEntry,
  MailStore,
  NewMessage,
  ReplaceResult,
  WholeBlob,
} from "../store/mail-store.js";

export interface MessageLimits {
  readonly maxMessageBytes: number;
}

export interface NewMessageOptions {
  readonly flags?: FlagSet;
  /** INTERNALDATE; defaults to now. */
  readonly internalDateMs?: number;
  /** Import only: the UID the source gave it (store NewMessage.uid). */
  readonly uid?: Uid;
  /** Import only: the POP3 UIDL the source showed (store NewMessage.importedUidl). */
  readonly importedUidl?: string;
}

const NO_FLAGS: FlagSet = { system: new Set(), keywords: [] };
/**
 * The buffers downloads read bodies into (readWholeInto): a read-ahead batch fills one (the read-aheads
 * bound a batch to it; larger bodies are read alone), a session holds a few while their bytes go out,
 * and an idle server keeps some spare.
 */
export const BODY_BUFFER_BYTES = 256 * 1024;
const BODY_BUFFERS_PER_SESSION = 4;
const SPARE_BODY_BUFFERS = 8;

/**
 * Messages up to this size may be held in memory between their arrival and their append (holdBlob), so
 * the store writes them with their entries: one durable commit instead of a blob file fsynced first.
 */
export const HELD_MESSAGE_MAX_BYTES = 64 * 1024;

/** A message to append: a stored blob, or bytes not stored yet (`body`) that the append stores. */
export type AppendedMessage = {
  readonly blobHash: BlobHash;
  /** The blob's bytes, already stored (saves reading them back to index them). */
  readonly raw?: Uint8Array;
  /** The bytes of `blobHash`, not stored yet: the append stores them with its entry (NewMessage.body). */
  readonly body?: Uint8Array;
} & NewMessageOptions;

export class MessageService {
  readonly #bodyBuffers = new BufferPool(BODY_BUFFER_BYTES, SPARE_BODY_BUFFERS);

  constructor(
    private readonly store: MailStore,
    private readonly limits: MessageLimits,
  ) {}

  /** Stores message bytes durably (fsynced) as a blob; rejects with tooBig past the configured limit. */
  storeBlob(source: Uint8Array | AsyncIterable<Uint8Array>): Promise<{ hash: BlobHash; size: number }> {
    return this.store.blobs.put(source, this.limits.maxMessageBytes);
  }

  /**
   * Reads a small message (at most HELD_MESSAGE_MAX_BYTES) into memory and names it, without storing it:
   * appendBlobs with it as `body` stores it with its entry. Rejects with tooBig past that size.
   */
  async holdBlob(
    source: AsyncIterable<Uint8Array>,
  ): Promise<{ hash: BlobHash; size: number; bytes: Buffer }> {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of source) {
      size += chunk.byteLength;
      if (size > HELD_MESSAGE_MAX_BYTES || size > this.limits.maxMessageBytes)
        throw new MailError("tooBig", "Message too large");
      chunks.push(chunk);
    }
    const bytes = Buffer.concat(chunks, size);
    return { hash: this.store.blobs.hashOf(bytes), size, bytes };
  }

  /**
   * Adds blobs to a mailbox as new messages, atomically: all or none (MULTIAPPEND). Each is indexed once
   * here. A stored blob is durable before the entries commit, and one given as `body` is stored no later
   * than they are, so an acknowledged message survives a crash, and a crash before the commit leaves at
   * most garbage blobs.
   */
  async appendBlobs(
    accountId: AccountId,
    mailboxId: MailboxId,
    messages: readonly AppendedMessage[],
  ): Promise<AppendResult[]> {
    const prepared: NewMessage[] = [];
    for (const message of messages) {
      // A streamed message is read back once to index it; its size is bounded by maxMessageBytes.
      const raw = message.body ?? message.raw ?? (await this.store.blobs.read(message.blobHash));
      prepared.push({
        blobHash: message.blobHash,
        ...(message.body ? { body: message.body } : {}),
        index: indexMessage(raw),
        flags: message.flags ?? NO_FLAGS,
        internalDateMs: message.internalDateMs ?? Date.now(),
        ...(message.uid === undefined ? {} : { uid: message.uid }),
        ...(message.importedUidl === undefined ? {} : { importedUidl: message.importedUidl }),
      });
    }
    return this.store.messages.appendMany(accountId, mailboxId, prepared);
  }

  /**
   * Replaces a message (IMAP REPLACE, RFC 8508): adds the stored blob to `targetMailboxId` and expunges
   * `replacedUid` from `sourceMailboxId` in one store transaction, so other sessions, and the data after a
   * crash, hold the old message or the new one, never both or neither. If the append fails (overQuota,
   * nonexistent), nothing changed. `expunged` is empty when the old message was already gone.
   */
  async replace(
    accountId: AccountId,
    sourceMailboxId: MailboxId,
    replacedUid: Uid,
    targetMailboxId: MailboxId,
    message: AppendedMessage,
  ): Promise<ReplaceResult> {
    const raw = message.body ?? message.raw ?? (await this.store.blobs.read(message.blobHash));
    return this.store.messages.replace(accountId, sourceMailboxId, replacedUid, targetMailboxId, {
      blobHash: message.blobHash,
      ...(message.body ? { body: message.body } : {}),
      index: indexMessage(raw),
      flags: message.flags ?? NO_FLAGS,
      internalDateMs: message.internalDateMs ?? Date.now(),
    });
  }

  /**
   * Copies entries into a mailbox of another account, or with other flags than they have (a shared
   * mailbox the user may not set every flag in, RFC 4314 §4): each email's stored blob and index are
   * appended anew in one transaction, so the target account holds its own emails and its quota is
   * charged. Emails no longer in the source account are skipped. INTERNALDATE is kept.
   */
  async copyAcross(
    sourceAccountId: AccountId,
    entries: readonly MailboxEntry[],
    targetAccountId: AccountId,
    targetMailboxId: MailboxId,
    flagsOf: (entry: MailboxEntry) => FlagSet,
  ): Promise<CopyResult> {
    const sourceUids: Uid[] = [];
    const messages: NewMessage[] = [];
    for (const entry of entries) {
      const email = await this.store.messages.getEmail(sourceAccountId, entry.emailId);
      if (email === undefined) continue;
      sourceUids.push(entry.uid);
      messages.push({
        blobHash: email.blobHash,
        index: email.index,
        flags: flagsOf(entry),
        internalDateMs: entry.internalDateMs,
      });
    }
    if (messages.length === 0) {
      const target = await this.store.mailboxes.get(targetAccountId, targetMailboxId);
      return { uidValidity: target?.uidValidity ?? 0, sourceUids: [], destinationUids: [] };
    }
    const results = await this.store.messages.appendMany(targetAccountId, targetMailboxId, messages);
    return {
      uidValidity: (results[0] as AppendResult).uidValidity,
      sourceUids,
      destinationUids: results.map((r) => r.uid),
    };
  }

  /** Stores one message and adds it to a mailbox. Rejects with tooBig, overQuota or nonexistent. */
  async append(
    accountId: AccountId,
    mailboxId: MailboxId,
    source: Uint8Array | AsyncIterable<Uint8Array>,
    options: NewMessageOptions = {},
  ): Promise<AppendResult> {
    const { hash } = await this.storeBlob(source);
    const raw = source instanceof Uint8Array ? source : undefined;
    const [result] = await this.appendBlobs(accountId, mailboxId, [
      { blobHash: hash, ...(raw ? { raw } : {}), ...options },
    ]);
    return result as AppendResult;
  }

  /** Bytes [start, end) of a message, streamed from the blob store. */
  readRange(blobHash: BlobHash, start: number, end: number): AsyncIterable<Uint8Array> {
    return this.store.blobs.readRange(blobHash, start, end);
  }

  /**
   * Bytes [start, end) of a message when the blob store reads them at once (a small blob in a local
   * file: cheaper than any await), else null; throws MailError("nonexistent") if the blob is gone.
   */
  readRangeNow(blobHash: BlobHash, start: number, end: number): Buffer | null {
    return this.store.blobs.readRangeNow?.(blobHash, start, end) ?? null;
  }

  /**
   * readRangeNow of several ranges at once, sharing the store's work (BlobStore.readRangesNow); never
   * throws: null where a range cannot be read at once or is gone (readRangeNow then says which).
   */
  readRangesNow(ranges: readonly BlobRange[]): (Buffer | null)[] {
    const { blobs } = this.store;
    if (blobs.readRangesNow) return blobs.readRangesNow(ranges);
    return ranges.map((range) => {
      try {
        return blobs.readRangeNow?.(range.hash, range.start, range.end) ?? null;
      } catch {
        return null;
      }
    });
  }

  /**
   * The buffers one session reads bodies into with readWholeInto (see HeldBuffers for when they go
   * back), or null where the store cannot copy bodies into memory it is given.
   */
  heldBodyBuffers(): HeldBuffers | null {
    if (this.store.blobs.readWholeInto === undefined) return null;
    return new HeldBuffers(this.#bodyBuffers, BODY_BUFFERS_PER_SESSION);
  }

  /**
   * Whole bodies copied into `target` (BlobStore.readWholeInto); all null where the store cannot.
   * Never throws: a null entry is read with readRangeNow, which says why.
   */
  readWholeInto(blobs: readonly WholeBlob[], target: Buffer): (Buffer | null)[] {
    return this.store.blobs.readWholeInto?.(blobs, target) ?? blobs.map(() => null);
  }

  readAll(blobHash: BlobHash): Promise<Buffer> {
    return this.store.blobs.read(blobHash);
  }
}

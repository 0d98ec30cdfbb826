// Final delivery of one received message to its envelope recipients (RFC 5321 §4.4, RFC 2033 §4.2):
// the message is stored and fsynced once and indexed once (one recipient: its bytes go with the append,
// durable with its rows); each recipient's copy is its own trace fields
// (a small prefixed blob) in front of that one blob, all copies appended at once (the store may commit
// them together) with one outcome per recipient, so LMTP can answer each separately. An account with an
// active Sieve script or an enabled VacationResponse gets its copies where the script says
// (sieve/sieve-delivery.ts): filed, flagged, discarded, redirected or rejected, never lost.

import type { BlobHash } from "../kit/ids.js";
import { newObjectId } from "../kit/ids.js";
import type { Logger } from "../kit/logger.js";
import { isMailError, MailError } from "../kit/mail-error.js";
import { METRICS } from "../kit/metrics.js";
import { shiftIndex } from "../mime/index/shift-index.js";
import type { MessageIndex } from "../mime/message-index.js";
import type { FlagSet, MailStore, NewMessage } from "../store/mail-store.js";
import { type AddressPolicy, AddressResolver, type DeliveryTarget } from "./address-resolution.js";
import { IndexWorkers, inlineIndexer, type MessageIndexer } from "./index-workers.js";
import { INBOX, normalizeMailboxName } from "./mailbox-name.js";
import { MailboxService } from "./mailbox-service.js";
import {
  isSieveRejection,
  type Placement,
  type SieveDelivery,
  type SievePlan,
  type SieveRecipient,
  SieveRejection,
} from "./sieve/sieve-delivery.js";
import { formatTraceHeaders } from "./trace-headers.js";

export interface DeliveryOptions extends AddressPolicy {
  /** Names this server in Received lines. */
  readonly hostname: string;
  /** Worker threads that index delivered messages (index-workers.ts); 0 or absent: the main thread. */
  readonly indexWorkers?: number;
}

/** What RCPT TO learns about one recipient. */
export type RecipientCheck =
  | { readonly kind: "accepted"; readonly address: string; readonly targets: readonly DeliveryTarget[] }
  | { readonly kind: "notLocal" }
  | { readonly kind: "rejected"; readonly error: MailError };

export type RecipientOutcome =
  | { readonly kind: "delivered" }
  | { readonly kind: "failed"; readonly error: MailError; readonly isTemporary: boolean };

export interface InboundMessage {
  /** Envelope sender; "" for the null reverse-path. */
  readonly returnPath: string;
  readonly recipients: readonly Extract<RecipientCheck, { kind: "accepted" }>[];
  /** The message as received (dot-stuffing removed), without trace headers. */
  readonly data: Uint8Array;
  readonly heloName: string;
  readonly remoteAddress: string;
  readonly protocol: string;
  /**
   * How a Sieve reject can be told: "perRecipient" (LMTP: a 550 for that recipient), "whole" (SMTP: a
   * 550 only when every recipient rejects), or, when absent, never in the session: the message counts
   * as delivered and the sender gets a rejection notice (RFC 5429 §2.2).
   */
  readonly rejection?: "perRecipient" | "whole";
}

export interface DeliveryReport {
  readonly id: string;
  /** One per recipient, in the order given. */
  readonly outcomes: readonly RecipientOutcome[];
}

/** One recipient's copy: the blob it reads from and the index of exactly those bytes. */
interface StoredCopy {
  readonly blobHash: BlobHash;
  readonly index: MessageIndex;
  /** The blob's bytes when they are not stored yet: the append stores them (NewMessage.body). */
  readonly body?: Uint8Array;
  /** What the store writes of `index`, computed by the indexer (NewMessage.searchRows, indexJson). */
  readonly prepared?: Pick<NewMessage, "searchRows" | "indexJson">;
}

const NO_FLAGS: FlagSet = { system: new Set(), keywords: [] };

export class DeliveryService {
  readonly #resolver: AddressResolver;
  readonly #indexer: MessageIndexer;
  readonly #sieve: SieveDelivery | null;
  readonly #mailboxes: MailboxService;

  /** `indexer` replaces the one `options.indexWorkers` asks for (tests); without `sieve`, no filtering. */
  constructor(
    private readonly store: MailStore,
    private readonly options: DeliveryOptions & { readonly quotaPermanent: boolean },
    private readonly log: Logger,
    indexer?: MessageIndexer,
    sieve?: SieveDelivery,
  ) {
    this.#resolver = new AddressResolver(store, options);
    this.#sieve = sieve ?? null;
    this.#mailboxes = new MailboxService(store);
    this.#indexer =
      indexer ??
      ((options.indexWorkers ?? 0) > 0 ? new IndexWorkers(options.indexWorkers ?? 1) : inlineIndexer);
  }

  /** Stops the indexing workers, if any (they also stop by themselves when idle). */
  close(): Promise<void> {
    return this.#indexer.close();
  }

  /** Resolves a recipient and refuses it early when every account behind it is already full. */
  async checkRecipient(address: string): Promise<RecipientCheck> {
    const resolution = await this.#resolver.resolve(address);
    if (resolution.kind === "notLocal") return { kind: "notLocal" };
    if (resolution.kind === "unknownUser") {
      return { kind: "rejected", error: new MailError("nonexistent", "No such user here") };
    }
    const accounts = await Promise.all(resolution.targets.map((t) => this.store.accounts.get(t.accountId)));
    const hasRoom = accounts.some(
      (a) =>
        a !== undefined &&
        (a.quota.storageBytes === null || a.usedBytes < a.quota.storageBytes) &&
        (a.quota.messages === null || a.messageCount < a.quota.messages),
    );
    if (!hasRoom) return { kind: "rejected", error: new MailError("overQuota", "Mailbox is full") };
    return { kind: "accepted", address, targets: resolution.targets };
  }

  /**
   * Stores the message once and appends it to every target's mailbox, each copy behind its recipient's
   * own trace fields (Delivered-To names that recipient). A recipient is delivered only when all its
   * targets committed; if any failed temporarily the whole recipient is reported as a temporary failure,
   * so a retry may duplicate a copy but never loses one.
   */
  async deliver(message: InboundMessage): Promise<DeliveryReport> {
    const id = newObjectId("E").slice(1, 13);
    const receivedAtMs = Date.now();
    const prefixes = message.recipients.map((recipient) =>
      Buffer.from(
        formatTraceHeaders({
          returnPath: message.returnPath,
          deliveredTo: recipient.address,
          heloName: message.heloName,
          remoteAddress: message.remoteAddress,
          hostname: this.options.hostname,
          protocol: message.protocol,
          id,
          receivedAtMs,
        }),
        "utf8",
      ),
    );
    let copyOf: (recipient: number) => Promise<StoredCopy>;
    try {
      copyOf = await this.#storeOnce(message.data, prefixes);
    } catch (error) {
      const failure = this.#failure(error, id);
      return { id, outcomes: message.recipients.map(() => failure) };
    }
    // The same account reached through two recipients (alias and direct) gets one copy. All copies are
    // appended at once, so the store can commit them together (one transaction, one fsync).
    const byTarget = new Map<string, Promise<RecipientOutcome>>();
    const appendOnce = (target: DeliveryTarget, position: number): Promise<RecipientOutcome> => {
      const key = `${target.accountId}\u0000${target.folder ?? ""}`;
      let pending = byTarget.get(key);
      if (!pending) {
        const copy = () => copyOf(position);
        pending =
          this.#sieve === null
            ? this.#appendTo(target, copy, receivedAtMs, id)
            : this.#filterInto(
                this.#sieve,
                target,
                copy,
                receivedAtMs,
                id,
                message,
                position,
                prefixes[position],
              );
        byTarget.set(key, pending);
      }
      return pending;
    };
    const outcomes = await Promise.all(
      message.recipients.map(async (recipient, position) =>
        combine(await Promise.all(recipient.targets.map((target) => appendOnce(target, position)))),
      ),
    );
    if (this.#sieve !== null) await this.#noticeRejections(this.#sieve, message, outcomes, id);
    for (const outcome of outcomes) {
      const result =
        outcome.kind === "delivered" ? "delivered" : outcome.isTemporary ? "temporary" : "permanent";
      METRICS.deliveries.inc({ result });
    }
    this.log.info(
      {
        deliveryId: id,
        size: message.data.byteLength,
        recipients: message.recipients.length,
        delivered: outcomes.filter((o) => o.kind === "delivered").length,
      },
      "message delivered",
    );
    return { id, outcomes };
  }

  /**
   * Stores and indexes the message once. One recipient: one blob of trace fields + message. Several:
   * the message is the one shared blob and each copy is a prefixed blob of its trace fields in front of
   * it, its index the first copy's shifted (docs/delivery.md "One blob, many recipients").
   */
  async #storeOnce(
    data: Uint8Array,
    prefixes: readonly Buffer[],
  ): Promise<(recipient: number) => Promise<StoredCopy>> {
    const first = prefixes[0] ?? Buffer.alloc(0);
    if (prefixes.length === 1) {
      // The bytes go with the append, so the store can make them durable in the same commit as the
      // rows (the SQLite store: one WAL fsync for both); either way, durable before the append resolves.
      // The index is built in a worker while this thread hashes the bytes and serves other sessions.
      const raw = Buffer.concat([first, data]);
      const indexing = this.#indexer.index(raw);
      const blobHash = this.store.blobs.hashOf(raw);
      const { index, searchRows, indexJson } = await indexing;
      const copy: StoredCopy = { blobHash, body: raw, index, prepared: { searchRows, indexJson } };
      return async () => copy;
    }
    const indexing = this.#indexer.index(Buffer.concat([first, data]));
    // Settled either way before anything awaits it, so a failed put leaves no unhandled rejection.
    indexing.catch(() => {});
    const base = (await this.store.blobs.put(data)).hash;
    const firstIndex = (await indexing).index;
    return async (recipient) => {
      const prefix = prefixes[recipient] ?? first;
      const { hash } = await this.store.blobs.putPrefixed(prefix, base);
      return { blobHash: hash, index: shiftIndex(firstIndex, first, prefix) };
    };
  }

  /**
   * One account's copy through its Sieve plan: stored where and as the plan says (nowhere when discarded),
   * or refused by a reject; redirects and the vacation reply go out once every copy is stored. Without a
   * script or vacation, or if planning itself fails, the message is delivered as without Sieve.
   */
  async #filterInto(
    sieve: SieveDelivery,
    target: DeliveryTarget,
    copy: () => Promise<StoredCopy>,
    internalDateMs: number,
    id: string,
    message: InboundMessage,
    position: number,
    prefix: Buffer | undefined,
  ): Promise<RecipientOutcome> {
    const recipient = this.#sieveRecipient(target, message, position, id);
    let plan: SievePlan | null;
    try {
      plan = await sieve.plan(recipient, message.data);
    } catch (error) {
      this.log.error(
        { err: error, deliveryId: id, account: target.accountAddress },
        "Sieve failed; delivering unfiltered",
      );
      plan = null;
    }
    if (plan === null) return this.#appendTo(target, copy, internalDateMs, id);
    if (plan.kind === "reject") {
      this.log.info({ deliveryId: id, account: target.accountAddress }, "Sieve rejected the message");
      return { kind: "failed", error: new SieveRejection(plan.reason), isTemporary: false };
    }
    const results = await Promise.all(
      plan.placements.map((placement) => this.#appendTo(target, copy, internalDateMs, id, placement)),
    );
    if (results.every((r) => r.kind === "delivered")) {
      await sieve.performSideEffects(
        plan,
        recipient,
        Buffer.concat([prefix ?? Buffer.alloc(0), message.data]),
      );
    }
    if (plan.placements.length === 0)
      this.log.info({ deliveryId: id, account: target.accountAddress }, "Sieve discarded the message");
    return results.length === 0 ? { kind: "delivered" } : combine(results);
  }

  #sieveRecipient(
    target: DeliveryTarget,
    message: InboundMessage,
    position: number,
    id: string,
  ): SieveRecipient {
    return {
      accountId: target.accountId,
      accountAddress: target.accountAddress,
      address: message.recipients[position]?.address ?? target.accountAddress,
      returnPath: message.returnPath,
      deliveryId: id,
    };
  }

  /**
   * Sieve rejections the session cannot say (see InboundMessage.rejection) become deliveries that were
   * refused by notice: the sender gets a rejection notice, the client an acceptance.
   */
  async #noticeRejections(
    sieve: SieveDelivery,
    message: InboundMessage,
    outcomes: RecipientOutcome[],
    id: string,
  ): Promise<void> {
    const rejected = outcomes.flatMap((o, i) =>
      o.kind === "failed" && isSieveRejection(o.error) ? [i] : [],
    );
    if (rejected.length === 0 || message.rejection === "perRecipient") return;
    if (message.rejection === "whole" && rejected.length === outcomes.length) return;
    for (const position of rejected) {
      const outcome = outcomes[position];
      const target = message.recipients[position]?.targets[0];
      if (outcome?.kind !== "failed" || target === undefined) continue;
      const recipient = this.#sieveRecipient(target, message, position, id);
      await sieve.sendRejectionNotice(recipient, outcome.error.publicText, message.data);
      outcomes[position] = { kind: "delivered" };
    }
  }

  async #appendTo(
    target: DeliveryTarget,
    copy: () => Promise<StoredCopy>,
    internalDateMs: number,
    id: string,
    placement?: Placement,
  ): Promise<RecipientOutcome> {
    try {
      const mailbox =
        placement === undefined
          ? await this.#mailboxFor(target)
          : await this.#placementMailbox(target, placement, id);
      const { blobHash, index, body, prepared } = await copy();
      await this.store.messages.append(target.accountId, mailbox, {
        blobHash,
        index,
        flags: placement?.flags ?? NO_FLAGS,
        internalDateMs,
        ...(body ? { body } : {}),
        ...prepared,
      });
      return { kind: "delivered" };
    } catch (error) {
      const failure = this.#failure(error, id);
      this.log.warn(
        {
          deliveryId: id,
          account: target.accountAddress,
          code: failure.kind === "failed" ? failure.error.code : "",
        },
        "delivery to an account failed",
      );
      return failure;
    }
  }

  async #mailboxFor(target: DeliveryTarget): Promise<Parameters<MailStore["messages"]["append"]>[1]> {
    if (target.folder !== null) {
      let name: string | undefined;
      try {
        name = normalizeMailboxName(target.folder);
      } catch {
        name = undefined;
      }
      const folder =
        name === undefined ? undefined : await this.store.mailboxes.findByName(target.accountId, name);
      if (folder) return folder.id;
    }
    const inbox = await this.store.mailboxes.findByName(target.accountId, INBOX);
    if (!inbox) throw new MailError("nonexistent", "The recipient has no INBOX");
    return inbox.id;
  }

  /**
   * The mailbox a Sieve keep or fileinto names: created only when the script asked (RFC 5490 :create);
   * a missing one otherwise means INBOX (RFC 5228 §4.1 leaves it to us; a typo must not lose mail).
   */
  async #placementMailbox(
    target: DeliveryTarget,
    placement: Placement,
    id: string,
  ): Promise<Parameters<MailStore["messages"]["append"]>[1]> {
    let name: string | undefined;
    try {
      name = normalizeMailboxName(placement.mailbox);
    } catch {
      name = undefined;
    }
    if (name !== undefined) {
      const found = await this.store.mailboxes.findByName(target.accountId, name);
      if (found) return found.id;
      if (placement.create) {
        try {
          return (await this.#mailboxes.create(target.accountId, name)).id;
        } catch (error) {
          const again = await this.store.mailboxes.findByName(target.accountId, name);
          if (again) return again.id;
          this.log.warn(
            { err: error, deliveryId: id, account: target.accountAddress },
            "fileinto :create failed",
          );
        }
      }
    }
    this.log.info(
      { deliveryId: id, account: target.accountAddress, mailbox: placement.mailbox },
      "fileinto names a mailbox that does not exist; delivered to INBOX",
    );
    return this.#mailboxFor({ ...target, folder: null });
  }

  #failure(error: unknown, id: string): RecipientOutcome {
    if (isMailError(error)) {
      const isTemporary =
        error.code === "unavailable" ||
        error.code === "serverBug" ||
        error.code === "limit" ||
        error.code === "inUse" ||
        (error.code === "overQuota" && !this.options.quotaPermanent);
      return { kind: "failed", error, isTemporary };
    }
    this.log.error({ err: error, deliveryId: id }, "delivery failed");
    return {
      kind: "failed",
      error: new MailError("serverBug", `Internal error (${id})`, { cause: error }),
      isTemporary: true,
    };
  }
}

/** Delivered when every target took it; otherwise the temporary failure if any (so the sender retries). */
function combine(results: readonly RecipientOutcome[]): RecipientOutcome {
  const failures = results.filter((r) => r.kind === "failed");
  if (failures.length === 0) return { kind: "delivered" };
  const temporary = failures.find((f) => f.isTemporary);
  if (temporary) return temporary;
  // Some copies landed and the rest can never land: retrying would only duplicate the landed ones.
  return failures.length < results.length ? { kind: "delivered" } : (failures[0] as RecipientOutcome);
}

// Message indexing off the main thread: a small pool of worker threads (index-worker.ts) that build each
// delivered message's MessageIndex (MIME parsing, header decoding, search text: pure CPU, about a quarter
// of a delivery's main-thread time) and what the store writes of it (folded search rows, the index as
// JSON), so the main thread meanwhile runs the protocol and the store's group commits of other messages
// (docs/performance.md "Flag updates and delivery").
//
// Nothing here is durable or acknowledged: a worker only computes. A worker that dies (crash, out of
// memory, terminated) fails exactly the tasks it held with a temporary MailError (LMTP/SMTP answer 4xx,
// the sender retries; nothing of those messages was stored), and the next task starts a new worker.
// Workers start on first use and stop after IDLE_MS without work, so an idle server holds no threads.
import { Worker } from "node:worker_threads";
import { MailError } from "../kit/mail-error.js";
import { indexMessage } from "../mime/index/index-message.js";
import { foldSearchRows, type SearchRows } from "../mime/index/search-rows.js";
import type { MessageIndex } from "../mime/message-index.js";

/** A message's index and what the store writes of it (NewMessage.searchRows and indexJson). */
export interface IndexedMessage {
  readonly index: MessageIndex;
  readonly searchRows: SearchRows;
  readonly indexJson: string;
}

/** Builds the MessageIndex of raw message bytes. */
export interface MessageIndexer {
  index(raw: Uint8Array): Promise<IndexedMessage>;
  /** Stops any threads; tasks still running fail temporarily. */
  close(): Promise<void>;
}

/** Indexes `raw` on the calling thread. */
export function indexForStore(raw: Uint8Array): IndexedMessage {
  const index = indexMessage(raw);
  return { index, searchRows: foldSearchRows(index), indexJson: JSON.stringify(index) };
}

/** Indexes on the calling thread (no workers configured). */
export const inlineIndexer: MessageIndexer = {
  index: async (raw) => indexForStore(raw),
  close: async () => {},
};

/** What the main thread posts to a worker. */
export interface IndexTask {
  readonly id: number;
  readonly raw: Uint8Array;
}

/** What a worker posts back: the index, or the text of an unexpected error. */
export type IndexReply =
  | { readonly id: number; readonly indexed: IndexedMessage }
  | { readonly id: number; readonly error: string };

/** Workers with no task for this long are stopped (started again on the next task). */
const IDLE_MS = 10_000;
/**
 * Tasks waiting per worker beyond which new messages are indexed on the main thread instead: the queue
 * stays bounded (memory, latency) whatever the number of connections, and the server slows down rather
 * than refusing mail.
 */
const MAX_QUEUED_PER_WORKER = 32;

interface Pending {
  readonly resolve: (indexed: IndexedMessage) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

export class IndexWorkers implements MessageIndexer {
  readonly #slots: Slot[] = [];
  #nextId = 1;
  #idleTimer: NodeJS.Timeout | null = null;

  /** `size` worker threads at most (at least 1). */
  constructor(private readonly size: number) {}

  index(raw: Uint8Array): Promise<IndexedMessage> {
    const slot = this.#pickSlot();
    if (slot === null) return Promise.resolve(indexForStore(raw));
    const id = this.#nextId++;
    return new Promise<IndexedMessage>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      // The first task of an idle worker keeps the process alive until its answer (see #settle).
      if (slot.pending.size === 1) slot.worker.ref();
      this.#cancelIdleTimer();
      // A copy of its own (a Buffer may view a larger pooled or received buffer, all of which posting
      // the view would copy), handed over rather than copied again.
      const own = new Uint8Array(raw);
      const task: IndexTask = { id, raw: own };
      slot.worker.postMessage(task, [own.buffer]);
    });
  }

  async close(): Promise<void> {
    this.#cancelIdleTimer();
    const slots = this.#slots.splice(0);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  /** The least busy worker, a new one while below `size`, or null when every queue is full. */
  #pickSlot(): Slot | null {
    let best: Slot | null = null;
    for (const slot of this.#slots) if (best === null || slot.pending.size < best.pending.size) best = slot;
    if ((best === null || best.pending.size > 0) && this.#slots.length < Math.max(1, this.size)) {
      return this.#startWorker();
    }
    if (best !== null && best.pending.size >= MAX_QUEUED_PER_WORKER) return null;
    return best;
  }

  #startWorker(): Slot {
    const worker = new Worker(new URL("./index-worker.js", import.meta.url));
    const slot: Slot = { worker, pending: new Map() };
    worker.unref();
    worker.on("message", (reply: IndexReply) => this.#settle(slot, reply));
    worker.on("error", (error) => this.#lose(slot, error));
    worker.on("exit", (code) => this.#lose(slot, new Error(`indexing worker exited with code ${code}`)));
    this.#slots.push(slot);
    return slot;
  }

  #settle(slot: Slot, reply: IndexReply): void {
    const pending = slot.pending.get(reply.id);
    if (!pending) return;
    slot.pending.delete(reply.id);
    if ("indexed" in reply) pending.resolve(reply.indexed);
    else pending.reject(new Error(`indexing failed in a worker: ${reply.error}`));
    if (slot.pending.size === 0) {
      slot.worker.unref();
      this.#armIdleTimer();
    }
  }

  /** A worker is gone: its tasks fail temporarily and it leaves the pool (the next task starts another). */
  #lose(slot: Slot, cause: unknown): void {
    const at = this.#slots.indexOf(slot);
    if (at !== -1) this.#slots.splice(at, 1);
    const tasks = [...slot.pending.values()];
    slot.pending.clear();
    for (const task of tasks) {
      task.reject(
        new MailError("unavailable", "Message indexing was interrupted, try again later", { cause }),
      );
    }
    if (slot.worker.threadId !== -1) void slot.worker.terminate();
  }

  #armIdleTimer(): void {
    if (this.#slots.some((slot) => slot.pending.size > 0)) return;
    this.#cancelIdleTimer();
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      if (this.#slots.every((slot) => slot.pending.size === 0)) void this.close();
    }, IDLE_MS);
    this.#idleTimer.unref();
  }

  #cancelIdleTimer(): void {
    if (this.#idleTimer !== null) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }
}

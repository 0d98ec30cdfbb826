// Scheduled garbage collection of message bodies (docs/reliability.md "Garbage"): every [blob_gc]
// interval_ms the running server purges emails destroyed longer than grace_ms ago and removes the blobs
// nothing references that were stored (or stored again) longer than grace_ms ago. The grace keeps the
// body of a delivery or APPEND that is stored but not yet committed. On a shared store one node at a
// time collects: a store lease, held for an interval and renewed by its holder, picks it.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "../kit/logger.js";
import type { MailStore } from "../store/mail-store.js";

const LEASE_NAME = "blob-collection";

export interface BlobCollectionResult {
  /** Emails destroyed (left without entries) before the grace period, now gone with their index. */
  readonly purgedEmails: number;
  /** Blobs (files, rows) removed. */
  readonly removedBlobs: number;
}

/** One collection, unscheduled and without a lease (safe to run beside another: both only remove garbage). */
export async function collectBlobGarbage(store: MailStore, graceMs: number): Promise<BlobCollectionResult> {
  const purgedEmails = await store.messages.purgeDestroyedEmails(graceMs);
  const removedBlobs = await store.blobs.collectGarbage(
    (hash) => store.messages.isBlobReferenced(hash),
    graceMs,
  );
  return { purgedEmails, removedBlobs };
}

export interface BlobCollectorOptions {
  /** Time between collections; 0: never on a schedule (runNow still works). */
  readonly intervalMs: number;
  readonly graceMs: number;
  readonly log: Logger;
  /** Who holds the lease: unique per process by default. */
  readonly holder?: string;
}

export class BlobCollector {
  readonly #store: MailStore;
  readonly #options: BlobCollectorOptions;
  readonly #holder: string;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<BlobCollectionResult | null> | null = null;
  #isStopped = false;

  constructor(store: MailStore, options: BlobCollectorOptions) {
    this.#store = store;
    this.#options = options;
    this.#holder = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  }

  /** Starts the schedule: the first collection one interval from now. */
  start(): void {
    if (this.#options.intervalMs > 0 && !this.#isStopped) this.#schedule();
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      void this.runNow()
        .catch((error: unknown) => this.#options.log.error({ err: error }, "blob collection failed"))
        .finally(() => {
          if (!this.#isStopped) this.#schedule();
        });
    }, this.#options.intervalMs);
    // A pending collection never keeps the process alive.
    this.#timer.unref();
  }

  /**
   * Collects now if this process holds (or can take) the lease; null when another node holds it. The
   * lease lasts two intervals (at least a minute) and is renewed here at each run, so the holder keeps
   * collecting (a run that starts late still finds it held) and another node takes over once a holder
   * that died lets it run out.
   */
  runNow(): Promise<BlobCollectionResult | null> {
    this.#running ??= this.#run().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #run(): Promise<BlobCollectionResult | null> {
    const now = Date.now();
    const leaseMs = Math.max(2 * this.#options.intervalMs, 60_000);
    if (!(await this.#store.leases.tryTake(LEASE_NAME, this.#holder, now, now + leaseMs))) return null;
    const result = await collectBlobGarbage(this.#store, this.#options.graceMs);
    const log = this.#options.log;
    const fields = { ...result, ms: Date.now() - now };
    if (result.purgedEmails + result.removedBlobs > 0) log.info(fields, "blob collection");
    else log.debug(fields, "blob collection: nothing to remove");
    return result;
  }

  /** Stops the schedule, waits for a collection in progress and gives the lease back to the other nodes. */
  async stop(): Promise<void> {
    this.#isStopped = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => {});
    await this.#store.leases.give(LEASE_NAME, this.#holder).catch(() => {});
  }
}

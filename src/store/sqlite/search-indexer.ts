// The trigram index off the main thread (docs/performance.md "Flag updates and delivery"): an append
// writes its folded search row, and the FTS5 insert of it (tokenizing every trigram, then the index
// segment at commit: the largest part of a delivery's main-thread time) runs afterwards in a worker
// thread with its own connection (search-index-worker.ts). The group commit asks for a catch-up right
// after each commit, while the WAL is fsynced, and starts its next transaction only once the catch-up's
// has committed, so the two connections never wait for each other's write lock. Rows not yet indexed
// are searched by scanning them (sqlite-search.ts), so a search finds the same messages either way.
import { Worker } from "node:worker_threads";

/** What the main thread posts to the worker. */
export type SearchIndexRequest =
  | { readonly kind: "catchUp"; readonly limit: number }
  | { readonly kind: "close" };

/** The worker's answer to a catch-up. */
export type SearchIndexReply =
  | { readonly kind: "done"; readonly hasMore: boolean }
  | { readonly kind: "failed"; readonly error: string };

export class SearchIndexer {
  #worker: Worker | null = null;
  #pending: { readonly worker: Worker; readonly resolve: (reply: SearchIndexReply) => void } | null = null;

  /** `path`: the database file the worker opens. */
  constructor(private readonly path: string) {}

  /**
   * Indexes up to `limit` pending rows in the worker; resolves with the worker's answer (never rejects:
   * a failure leaves the rows pending, still found by scanning). One catch-up at a time.
   */
  catchUp(limit: number): Promise<SearchIndexReply> {
    if (this.#pending !== null) throw new Error("a search-index catch-up is already running");
    const worker = this.#worker ?? this.#start();
    return new Promise<SearchIndexReply>((resolve) => {
      this.#pending = { worker, resolve };
      worker.ref();
      worker.postMessage({ kind: "catchUp", limit } satisfies SearchIndexRequest);
    });
  }

  /** Lets the worker finish its transaction and close its connection, then waits for it to exit. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    if (worker === null) return;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.ref();
    worker.postMessage({ kind: "close" } satisfies SearchIndexRequest);
    await exited;
  }

  #start(): Worker {
    const worker = new Worker(new URL("./search-index-worker.js", import.meta.url), {
      workerData: { path: this.path },
    });
    worker.unref();
    worker.on("message", (reply: SearchIndexReply) => this.#settle(worker, reply));
    worker.on("error", (error) => this.#lose(worker, error.message));
    worker.on("exit", (code) => this.#lose(worker, `search-index worker exited with code ${code}`));
    this.#worker = worker;
    return worker;
  }

  #settle(worker: Worker, reply: SearchIndexReply): void {
    // A closing worker (no longer this.#worker) stays referenced until it has exited.
    if (this.#worker === worker) worker.unref();
    const pending = this.#pending;
    if (pending?.worker !== worker) return;
    this.#pending = null;
    pending.resolve(reply);
  }

  /** The worker is gone: its catch-up failed, and the next one starts a new worker. */
  #lose(worker: Worker, error: string): void {
    if (this.#worker === worker) this.#worker = null;
    this.#settle(worker, { kind: "failed", error });
  }
}

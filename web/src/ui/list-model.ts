// The message list's data, windowed for very large mailboxes: ids come from Email/query in windows of
// WINDOW_SIZE positions (position/limit), each with the list properties of its emails (Email/get) and,
// for conversations, their threads (Thread/get), in one request per window. Only windows the user
// scrolls to are fetched; after a change (push or an action) loaded windows are marked stale and refetched
// when shown, keeping their old rows on screen meanwhile.
import type { Invocation, JmapClient } from "../jmap/client.js";
import { resultOf } from "../jmap/client.js";
import { type FilterCondition, LIST_PROPERTIES, type ListEmail } from "../jmap/types.js";

export const WINDOW_SIZE = 100;
/** How long the visible range must stay put before its missing windows are requested. */
const ENSURE_DELAY_MS = 60;

export interface ListQuery {
  readonly filter: FilterCondition;
  readonly collapseThreads: boolean;
}

export class ListModel {
  total: number | null = null;
  readonly #ids: (string | undefined)[] = [];
  readonly emails = new Map<string, ListEmail>();
  /** threadId → the thread's email ids, oldest first (conversations only). */
  readonly threads = new Map<string, string[]>();
  /** window number → the generation it was loaded in. */
  readonly #loaded = new Map<number, number>();
  readonly #inFlight = new Set<number>();
  #generation = 0;
  #wanted = { from: 0, to: 0 };
  #ensureTimer: ReturnType<typeof setTimeout> | undefined;
  #isClosed = false;
  error: string | null = null;

  constructor(
    private readonly client: JmapClient,
    readonly query: ListQuery,
    private readonly onUpdate: () => void,
  ) {}

  idAt(position: number): string | undefined {
    return this.#ids[position];
  }

  emailAt(position: number): ListEmail | undefined {
    const id = this.#ids[position];
    return id === undefined ? undefined : this.emails.get(id);
  }

  /** The loaded position of an id, or -1. */
  positionOf(id: string): number {
    return this.#ids.indexOf(id);
  }

  close(): void {
    this.#isClosed = true;
    clearTimeout(this.#ensureTimer);
  }

  /** Something changed on the server: loaded windows are refetched when next shown. */
  invalidate(): void {
    this.#generation++;
  }

  /**
   * Makes sure positions [from, to) get loaded (or are being loaded) in the current generation, once the
   * range has stayed put for ENSURE_DELAY_MS: a fling through 100,000 rows must not queue a request for
   * every window it passes, only for the one it stops at.
   */
  ensure(from: number, to: number): void {
    const isMoved = from !== this.#wanted.from || to !== this.#wanted.to;
    this.#wanted = { from, to };
    if (this.#ensureTimer !== undefined && !isMoved) return;
    clearTimeout(this.#ensureTimer);
    const isFirstLoad = this.total === null;
    this.#ensureTimer = setTimeout(
      () => {
        this.#ensureTimer = undefined;
        if (!this.#isClosed) this.#loadWanted(this.#wanted.from, this.#wanted.to);
      },
      isFirstLoad ? 0 : ENSURE_DELAY_MS,
    );
  }

  #loadWanted(from: number, to: number): void {
    const first = Math.max(0, Math.floor(from / WINDOW_SIZE));
    const lastPosition = this.total === null ? to : Math.min(to, this.total);
    const last = Math.max(first, Math.floor(Math.max(0, lastPosition - 1) / WINDOW_SIZE));
    for (let window = first; window <= last; window++) {
      if (this.#inFlight.has(window) || this.#loaded.get(window) === this.#generation) continue;
      void this.#load(window);
    }
  }

  async #load(window: number): Promise<void> {
    const generation = this.#generation;
    this.#inFlight.add(window);
    const accountId = this.client.accountId;
    const calls: Invocation[] = [
      [
        "Email/query",
        {
          accountId,
          filter: this.query.filter,
          sort: [{ property: "receivedAt", isAscending: false }],
          position: window * WINDOW_SIZE,
          limit: WINDOW_SIZE,
          calculateTotal: true,
          collapseThreads: this.query.collapseThreads,
        },
        "q",
      ],
      [
        "Email/get",
        {
          accountId,
          "#ids": { resultOf: "q", name: "Email/query", path: "/ids" },
          properties: LIST_PROPERTIES,
        },
        "g",
      ],
    ];
    if (this.query.collapseThreads) {
      calls.push([
        "Thread/get",
        { accountId, "#ids": { resultOf: "g", name: "Email/get", path: "/list/*/threadId" } },
        "t",
      ]);
    }
    try {
      const responses = await this.client.request(calls);
      if (this.#isClosed) return;
      const query = resultOf<{ ids: string[]; total: number; position: number }>(responses[0], "Email/query");
      const got = resultOf<{ list: ListEmail[] }>(responses[1], "Email/get");
      if (this.query.collapseThreads) {
        const threads = resultOf<{ list: { id: string; emailIds: string[] }[] }>(responses[2], "Thread/get");
        for (const thread of threads.list) this.threads.set(thread.id, thread.emailIds);
      }
      for (const email of got.list) this.emails.set(email.id, email);
      if (this.total !== query.total) {
        this.total = query.total;
        this.#ids.length = Math.min(this.#ids.length, query.total);
      }
      const start = window * WINDOW_SIZE;
      for (let i = 0; i < WINDOW_SIZE; i++) {
        const id = query.ids[i];
        if (start + i < query.total) this.#ids[start + i] = id;
      }
      this.#loaded.set(window, generation);
      this.error = null;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
      this.total ??= 0;
    } finally {
      this.#inFlight.delete(window);
      // The render that follows asks again for what it shows: a window that went stale while it was
      // loading is loaded once more then.
      if (!this.#isClosed) this.onUpdate();
    }
  }

  /** Fetches the list properties of emails not in a window (a thread's other messages). */
  async fetchEmails(ids: readonly string[]): Promise<void> {
    const missing = ids.filter((id) => !this.emails.has(id));
    if (missing.length === 0) return;
    const got = await this.client.call<{ list: ListEmail[] }>("Email/get", {
      ids: missing,
      properties: LIST_PROPERTIES,
    });
    for (const email of got.list) this.emails.set(email.id, email);
    this.onUpdate();
  }

  /** Applies a local change at once (the push that follows confirms it). */
  patchEmail(id: string, patch: Partial<ListEmail>): void {
    const email = this.emails.get(id);
    if (email !== undefined) this.emails.set(id, { ...email, ...patch });
  }
}

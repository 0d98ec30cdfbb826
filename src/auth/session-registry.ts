// Authenticated sessions per account (issue 6 "max authenticated sessions per account"), shared by
// IMAP and POP3: a login takes a slot, the connection's close gives it back.
import type { AccountId } from "../kit/ids.js";

/** A taken slot; `release` is idempotent (an explicit release and the close may both happen). */
export interface SessionLease {
  release(): void;
}

/**
 * Counts live authenticated sessions of each account in this process. `tryAcquire` refuses past
 * `maxPerAccount`; the slot is returned when `closed` aborts, so no protocol path can leak one.
 */
export class SessionRegistry {
  readonly #counts = new Map<AccountId, number>();

  constructor(readonly maxPerAccount: number) {}

  /** Takes a slot for `accountId` until `closed` aborts or the lease is released; null when full. */
  tryAcquire(accountId: AccountId, closed: AbortSignal): SessionLease | null {
    if (closed.aborted) return null;
    const count = this.#counts.get(accountId) ?? 0;
    if (count >= this.maxPerAccount) return null;
    this.#counts.set(accountId, count + 1);
    let isReleased = false;
    const release = (): void => {
      if (isReleased) return;
      isReleased = true;
      closed.removeEventListener("abort", release);
      const left = (this.#counts.get(accountId) ?? 1) - 1;
      if (left > 0) this.#counts.set(accountId, left);
      else this.#counts.delete(accountId);
    };
    closed.addEventListener("abort", release, { once: true });
    return { release };
  }

  /** Live sessions of the account (for tests and admin views). */
  count(accountId: AccountId): number {
    return this.#counts.get(accountId) ?? 0;
  }
}

// JMAP maxConcurrentRequests (RFC 8620 §2): API requests one account may have running at once.
import type { AccountId } from "../kit/ids.js";

export class RequestLimiter {
  readonly #running = new Map<AccountId, number>();

  constructor(private readonly maxConcurrent: number) {}

  /** Takes a slot, or returns false when the account already runs the maximum. */
  tryAcquire(accountId: AccountId): boolean {
    const running = this.#running.get(accountId) ?? 0;
    if (running >= this.maxConcurrent) return false;
    this.#running.set(accountId, running + 1);
    return true;
  }

  release(accountId: AccountId): void {
    const running = (this.#running.get(accountId) ?? 1) - 1;
    if (running <= 0) this.#running.delete(accountId);
    else this.#running.set(accountId, running);
  }
}

// RFC 2449 §6.5 LOGIN-DELAY: the minimum time between two logins of one account. Enforced per server
// process, in memory; a refused login gets "-ERR [LOGIN-DELAY]".
import type { AccountId } from "../../kit/ids.js";

export class LoginDelay {
  readonly #lastLoginMs = new Map<AccountId, number>();

  constructor(
    readonly delaySeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds the account must still wait before it may log in again; 0 when it may now. */
  remainingSeconds(accountId: AccountId): number {
    if (this.delaySeconds <= 0) return 0;
    const last = this.#lastLoginMs.get(accountId);
    if (last === undefined) return 0;
    const leftMs = last + this.delaySeconds * 1000 - this.now();
    return leftMs > 0 ? Math.ceil(leftMs / 1000) : 0;
  }

  record(accountId: AccountId): void {
    if (this.delaySeconds <= 0) return;
    const now = this.now();
    this.#lastLoginMs.set(accountId, now);
    // Forget logins older than the delay so the map stays as small as the set of recent users.
    if (this.#lastLoginMs.size > 1024) {
      for (const [id, at] of this.#lastLoginMs)
        if (at + this.delaySeconds * 1000 <= now) this.#lastLoginMs.delete(id);
    }
  }
}

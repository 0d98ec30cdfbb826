// Authenticated sessions per account (issue 6 "max authenticated sessions per account"), shared by
// IMAP, POP3 and ManageSieve: a login takes a slot, the connection's close gives it back. Each session
// also leaves a way to end it, so an administrator can disconnect an account (`postfach kick`), JMAP push
// streams included (tracked without taking a slot).
import type { AccountId } from "../kit/ids.js";

/** A taken slot; `release` is idempotent (an explicit release and the close may both happen). */
export interface SessionLease {
  release(): void;
}

/** Ends one session at an administrator's request (IMAP says `* BYE` first); resolves once it is closed. */
export type KickSession = () => Promise<void>;

/**
 * Counts live authenticated sessions of each account in this process. `tryAcquire` refuses past
 * `maxPerAccount`; the slot is returned when `closed` aborts, so no protocol path can leak one.
 */
export class SessionRegistry {
  readonly #counts = new Map<AccountId, number>();
  readonly #kicks = new Map<AccountId, Set<KickSession>>();

  constructor(readonly maxPerAccount: number) {}

  /** Takes a slot for `accountId` until `closed` aborts or the lease is released; null when full. */
  tryAcquire(accountId: AccountId, closed: AbortSignal, kick?: KickSession): SessionLease | null {
    if (closed.aborted) return null;
    const count = this.#counts.get(accountId) ?? 0;
    if (count >= this.maxPerAccount) return null;
    this.#counts.set(accountId, count + 1);
    const untrack = kick === undefined ? () => {} : this.#track(accountId, kick);
    let isReleased = false;
    const release = (): void => {
      if (isReleased) return;
      isReleased = true;
      closed.removeEventListener("abort", release);
      untrack();
      const left = (this.#counts.get(accountId) ?? 1) - 1;
      if (left > 0) this.#counts.set(accountId, left);
      else this.#counts.delete(accountId);
    };
    closed.addEventListener("abort", release, { once: true });
    return { release };
  }

  /** Registers a session that takes no slot (a JMAP push stream) so `kick` ends it too, until `closed`. */
  track(accountId: AccountId, closed: AbortSignal, kick: KickSession): void {
    if (closed.aborted) return;
    const untrack = this.#track(accountId, kick);
    closed.addEventListener("abort", untrack, { once: true });
  }

  #track(accountId: AccountId, kick: KickSession): () => void {
    let kicks = this.#kicks.get(accountId);
    if (!kicks) {
      kicks = new Set();
      this.#kicks.set(accountId, kicks);
    }
    kicks.add(kick);
    return () => {
      kicks.delete(kick);
      if (kicks.size === 0 && this.#kicks.get(accountId) === kicks) this.#kicks.delete(accountId);
    };
  }

  /** Ends every session of the account in this process; resolves with how many there were. */
  async kick(accountId: AccountId): Promise<number> {
    const kicks = [...(this.#kicks.get(accountId) ?? [])];
    await Promise.all(kicks.map((kick) => kick().catch(() => {})));
    return kicks.length;
  }

  /** Live sessions of the account (for tests and admin views). */
  count(accountId: AccountId): number {
    return this.#counts.get(accountId) ?? 0;
  }
}

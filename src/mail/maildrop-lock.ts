// Exclusive access to an account's maildrop for POP3 (RFC 1939 §8: the server locks the maildrop for the
// whole TRANSACTION state). The in-process lock here serves one node; the PostgreSQL backend (issue 8)
// brings a store-level implementation (session advisory locks) so the lock holds across nodes.
import type { AccountId } from "../kit/ids.js";

/** A held lock; `release` is idempotent. */
export interface MaildropLockHandle {
  readonly owner: string;
  release(): void;
}

/**
 * Contract: at most one handle per account exists at a time. `tryAcquire` never waits: it returns null
 * while another owner holds the account. A lock dies with its holder, so a crashed or killed server
 * leaves no stale lock behind (in-process: memory; PostgreSQL: the session's advisory lock).
 */
export interface MaildropLock {
  tryAcquire(accountId: AccountId, owner: string): Promise<MaildropLockHandle | null>;
}

/** One node's locks, held in memory: released on `release()` and gone when the process exits. */
export class InProcessMaildropLock implements MaildropLock {
  readonly #holders = new Map<AccountId, MaildropLockHandle>();

  async tryAcquire(accountId: AccountId, owner: string): Promise<MaildropLockHandle | null> {
    if (this.#holders.has(accountId)) return null;
    let isHeld = true;
    const handle: MaildropLockHandle = {
      owner,
      release: () => {
        if (!isHeld) return;
        isHeld = false;
        if (this.#holders.get(accountId) === handle) this.#holders.delete(accountId);
      },
    };
    this.#holders.set(accountId, handle);
    return handle;
  }

  /** The current owner, for diagnostics and tests. */
  ownerOf(accountId: AccountId): string | undefined {
    return this.#holders.get(accountId)?.owner;
  }
}

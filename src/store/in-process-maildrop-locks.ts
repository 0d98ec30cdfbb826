// POP3 maildrop locks held in this process's memory (contract in mail-store.ts, MaildropLocks): all the
// embedded store needs, as one server process owns its data folder; the PostgreSQL store puts them in
// front of its database-wide locks, which one connection would otherwise grant twice.
import type { AccountId } from "../kit/ids.js";
import type { MaildropLockHandle, MaildropLocks } from "./mail-store.js";

/** One process's locks: released on `release()` and gone when the process exits. */
export class InProcessMaildropLocks implements MaildropLocks {
  readonly #holders = new Map<AccountId, MaildropLockHandle>();

  async tryAcquire(accountId: AccountId, owner: string): Promise<MaildropLockHandle | null> {
    return this.tryAcquireNow(accountId, owner);
  }

  /** The same, synchronously: callers that add their own step decide before any other caller runs. */
  tryAcquireNow(accountId: AccountId, owner: string): MaildropLockHandle | null {
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

  /** How many accounts are locked now, for diagnostics. */
  get size(): number {
    return this.#holders.size;
  }
}

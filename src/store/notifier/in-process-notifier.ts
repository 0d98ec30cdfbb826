// The embedded store's ChangeNotifier: committed changes reach every session of this process.
// Listeners are called synchronously but must only schedule work (they re-read the change log).
import type { AccountId } from "../../kit/ids.js";
import type { ChangeEvent, ChangeNotifier } from "../mail-store.js";

export class InProcessNotifier implements ChangeNotifier {
  readonly #listeners = new Map<AccountId, Set<(event: ChangeEvent) => void>>();

  publish(event: ChangeEvent): void {
    const listeners = this.#listeners.get(event.accountId);
    if (!listeners) return;
    for (const listener of [...listeners]) listener(event);
  }

  subscribe(accountId: AccountId, listener: (event: ChangeEvent) => void): () => void {
    let listeners = this.#listeners.get(accountId);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(accountId, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#listeners.delete(accountId);
    };
  }
}

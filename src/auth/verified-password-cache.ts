// Remembers, for a while, that a password matched an account's stored hash, so a client that logs in
// again and again (POP3 polling every minute, IMAP clients opening several connections) costs one scrypt
// per cache lifetime instead of one per login. Only successes are kept; each entry is bound to the stored
// hash it was verified against (a password change makes it useless at once) and holds an HMAC of the
// password under a key that lives only in this process, never the password.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

interface Verified {
  readonly storedHash: string;
  readonly mac: Buffer;
  readonly expiresAtMs: number;
}

const DEFAULT_MAX_ENTRIES = 10_000;

export class VerifiedPasswordCache {
  readonly #key = randomBytes(32);
  /** By account address; a Map keeps insertion order, so the first entry is the oldest. */
  readonly #byAccount = new Map<string, Verified>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = DEFAULT_MAX_ENTRIES,
    private readonly now: () => number = Date.now,
  ) {}

  get isEnabled(): boolean {
    return this.ttlMs > 0;
  }

  /** True when `password` was verified against exactly `storedHash` within the lifetime. */
  has(address: string, storedHash: string, password: string): boolean {
    const entry = this.#byAccount.get(address);
    if (entry === undefined) return false;
    if (entry.expiresAtMs <= this.now() || entry.storedHash !== storedHash) {
      this.#byAccount.delete(address);
      return false;
    }
    return timingSafeEqual(entry.mac, this.#mac(address, password));
  }

  /** Records a successful verification of `password` against `storedHash`. */
  remember(address: string, storedHash: string, password: string): void {
    if (!this.isEnabled) return;
    this.#byAccount.delete(address);
    this.#byAccount.set(address, {
      storedHash,
      mac: this.#mac(address, password),
      expiresAtMs: this.now() + this.ttlMs,
    });
    for (const oldest of this.#byAccount.keys()) {
      if (this.#byAccount.size <= this.maxEntries) break;
      this.#byAccount.delete(oldest);
    }
  }

  #mac(address: string, password: string): Buffer {
    return createHmac("sha256", this.#key).update(address).update("\0").update(password).digest();
  }
}

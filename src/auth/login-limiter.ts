// Brute-force limits for every login path, in one place (issue 6 "Abuse limits"): failures are counted per
// source IP, per (account, IP) pair and per account. Too many from an IP or a pair in the window block
// that IP or pair for a while; the per-account count only slows failed answers, so an attack from
// elsewhere never locks the real user out. In-process state: one node (cross-node comes with PostgreSQL).

export interface LoginLimits {
  /** Failures within `failureWindowMs` that trigger a block. */
  readonly maxFailures: number;
  readonly failureWindowMs: number;
  readonly blockMs: number;
  /** Delay before answering the first failure; doubles with each further one, up to the maximum. */
  readonly failureDelayMs: number;
  readonly maxFailureDelayMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  maxFailures: 10,
  failureWindowMs: 10 * 60_000,
  blockMs: 15 * 60_000,
  failureDelayMs: 250,
  maxFailureDelayMs: 5000,
};

interface Counter {
  /** Failure times within the window, oldest first, at most maxFailures of them. */
  failures: number[];
  blockedUntil: number;
  lastSeen: number;
}

/** Entries kept at most; the oldest go first, so a flood of invented user names cannot exhaust memory. */
const MAX_ENTRIES = 100_000;

export class LoginLimiter {
  readonly #counters = new Map<string, Counter>();

  constructor(
    readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether attempts from this IP for this login name are refused without checking credentials. */
  isBlocked(ip: string, username: string): boolean {
    const now = this.now();
    return [`ip ${ip}`, pairKey(ip, username)].some(
      (key) => (this.#counters.get(key)?.blockedUntil ?? 0) > now,
    );
  }

  /** Counts a failure; returns how long to wait before answering it. Unknown names count alike. */
  recordFailure(ip: string, username: string): number {
    const now = this.now();
    const counts = [`ip ${ip}`, pairKey(ip, username), `account ${username.toLowerCase()}`].map(
      (key, index) => {
        const counter = this.#touch(key, now);
        counter.failures.push(now);
        if (counter.failures.length > this.limits.maxFailures) counter.failures.shift();
        const recent = counter.failures.length;
        // The account-wide counter (index 2) never blocks: that would let anyone lock any user out.
        if (index < 2 && recent >= this.limits.maxFailures) {
          counter.blockedUntil = now + this.limits.blockMs;
          counter.failures = [];
        }
        return recent;
      },
    );
    return this.delayFor(Math.max(...counts));
  }

  /** A successful login clears its pair; the IP's count stays (one good account must not reset it). */
  recordSuccess(ip: string, username: string): void {
    this.#counters.delete(pairKey(ip, username));
  }

  /** The answer delay after `failures` recent failures. */
  delayFor(failures: number): number {
    if (failures <= 0) return 0;
    const { failureDelayMs, maxFailureDelayMs } = this.limits;
    return Math.min(maxFailureDelayMs, failureDelayMs * 2 ** Math.min(failures - 1, 30));
  }

  #touch(key: string, now: number): Counter {
    let counter = this.#counters.get(key);
    if (counter) this.#counters.delete(key);
    else counter = { failures: [], blockedUntil: 0, lastSeen: now };
    counter.lastSeen = now;
    const windowStart = now - this.limits.failureWindowMs;
    while ((counter.failures[0] ?? now) < windowStart) counter.failures.shift();
    this.#counters.set(key, counter);
    if (this.#counters.size > MAX_ENTRIES) this.#evict(now);
    return counter;
  }

  /** Drops idle entries (Map order is least recently touched first), then the oldest beyond the cap. */
  #evict(now: number): void {
    const idleSince = now - Math.max(this.limits.failureWindowMs, this.limits.blockMs);
    for (const [key, counter] of this.#counters) {
      if (this.#counters.size <= MAX_ENTRIES * 0.9) break;
      if (counter.lastSeen < idleSince || this.#counters.size > MAX_ENTRIES) this.#counters.delete(key);
    }
  }
}

function pairKey(ip: string, username: string): string {
  return `pair ${ip} ${username.toLowerCase()}`;
}

// A per-connection command budget (token bucket): a client may send bursts up to `burst` commands,
// then `perSecond` on average; faster clients are slowed (their next command waits), not dropped, so
// pipelining clients stay correct and a flooding one cannot monopolize the server.

export class CommandRate {
  #tokens: number;
  #lastMs: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number = perSecond,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#tokens = burst;
    this.#lastMs = now();
  }

  /** Milliseconds the next command must wait; 0 when it may run now. Takes the token either way. */
  take(): number {
    if (this.perSecond <= 0) return 0;
    const now = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#lastMs) * this.perSecond) / 1000);
    this.#lastMs = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens * 1000) / this.perSecond;
  }

  /** Whether a command may run now without waiting, as take() would answer; takes nothing. */
  hasToken(): boolean {
    if (this.perSecond <= 0) return true;
    const refilled = this.#tokens + ((this.now() - this.#lastMs) * this.perSecond) / 1000;
    return Math.min(this.burst, refilled) >= 1;
  }

  /** Gives back the token of a command the client's reading paces instead (one that sent a message). */
  refund(): void {
    if (this.perSecond > 0) this.#tokens = Math.min(this.burst, this.#tokens + 1);
  }
}

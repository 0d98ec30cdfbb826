// When a protocol session writes what it has gathered: the first write of a burst of replies goes out
// once FIRST_BYTES have gathered, so the client starts reading while the rest is prepared; each further
// write of the burst may be twice as large, up to MAX_BYTES; the next burst (after the session waited
// for the client) starts small again. Every write costs a writev, a wait for 'drain' and the kernel's
// hand-over whatever its size: a POP3 download of 10,000 pipelined 7 KB messages cost 145 ms of server
// CPU in 64 KiB writes and 95 in 1 MiB ones (docs/performance.md, "Body reads", seventh pass).
const FIRST_BYTES = 64 * 1024;
const MAX_BYTES = 1024 * 1024;

export class BurstWriteSize {
  #bytes = FIRST_BYTES;

  /** Whether `gathered` bytes are enough for the next write. */
  isReached(gathered: number): boolean {
    return gathered >= this.#bytes;
  }

  /** A write went out: the next one of this burst may be larger. */
  grow(): void {
    this.#bytes = Math.min(this.#bytes * 2, MAX_BYTES);
  }

  /** The session waits for the client: its next burst starts with a small write. */
  reset(): void {
    this.#bytes = FIRST_BYTES;
  }
}

// Buffers a hot path fills again and again instead of allocating: a download's bodies are read into them
// (store BlobStore.readWholeInto) and handed to the connection as views. On these VMs memory a process
// has not touched costs a page fault per 4 KB, and V8 runs a full garbage collection for every 64 MB
// allocated outside its heap; a pipelined download allocating a new Buffer per body paid both
// (docs/performance.md, "Bodies read into reused memory"). A buffer goes back to the pool only when its
// holder says nothing can read it any more, so its bytes are never overwritten while a write needs them.

/** Buffers of one size, kept for reuse up to a bound; one pool per thread (a module-level instance). */
export class BufferPool {
  readonly #spare: Buffer[] = [];

  constructor(
    readonly bufferBytes: number,
    /** Spare buffers kept at most: memory an idle server holds for the next download. */
    private readonly maxSpare: number,
  ) {}

  /** A buffer of `bufferBytes`, reused when one is spare; its contents are whatever was there. */
  take(): Buffer {
    return this.#spare.pop() ?? Buffer.allocUnsafeSlow(this.bufferBytes);
  }

  /** Takes a buffer back; the caller must hold no view of it that anything still reads. */
  give(buffer: Buffer): void {
    if (this.#spare.length < this.maxSpare && buffer.byteLength === this.bufferBytes)
      this.#spare.push(buffer);
  }

  /** Spare buffers now kept (for tests). */
  get spareCount(): number {
    return this.#spare.length;
  }
}

/**
 * The pool's buffers one session holds: taken for reads, given back together at a point where the
 * session knows none of their bytes is still to be written. Bounded: past `maxHeld` the caller reads
 * the allocating way (a client that does not read its replies cannot make the session hold more).
 */
export class HeldBuffers {
  readonly #held: Buffer[] = [];

  constructor(
    private readonly pool: BufferPool,
    private readonly maxHeld: number,
  ) {}

  /** A buffer to fill, or null when this session holds its maximum. */
  take(): Buffer | null {
    if (this.#held.length >= this.maxHeld) return null;
    const buffer = this.pool.take();
    this.#held.push(buffer);
    return buffer;
  }

  /**
   * Gives back every held buffer but `keep` (whose bytes still wait to be used, or null). Only when
   * nothing else can read them: no command running, no output queued, nothing unsent on the connection.
   */
  releaseExcept(keep: Buffer | null): void {
    let kept = 0;
    for (const buffer of this.#held) {
      if (buffer === keep) this.#held[kept++] = buffer;
      else this.pool.give(buffer);
    }
    this.#held.length = kept;
  }

  /** Buffers held now (for tests). */
  get heldCount(): number {
    return this.#held.length;
  }
}

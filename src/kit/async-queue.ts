// A bounded single-consumer queue that turns pushed chunks into an AsyncIterable, with backpressure:
// push() resolves only once the queue is below its high-water mark, so a fast producer (a socket)
// cannot outrun a slow consumer (a disk) by more than `highWaterMark` items.

export class AsyncQueue<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  #isEnded = false;
  #error: unknown = undefined;
  #hasError = false;
  #wakeConsumer: (() => void) | undefined;
  readonly #waitingProducers: (() => void)[] = [];

  constructor(private readonly highWaterMark = 16) {}

  /** Adds an item; resolves when there is room again. Items pushed after end() are dropped. */
  async push(item: T): Promise<void> {
    if (this.#isEnded) return;
    this.#items.push(item);
    this.#wake();
    if (this.#items.length >= this.highWaterMark) {
      await new Promise<void>((resolve) => this.#waitingProducers.push(resolve));
    }
  }

  end(): void {
    this.#isEnded = true;
    this.#wake();
  }

  /** Ends the stream with an error the consumer receives after the items already queued. */
  fail(error: unknown): void {
    this.#error = error;
    this.#hasError = true;
    this.end();
  }

  #wake(): void {
    const wake = this.#wakeConsumer;
    this.#wakeConsumer = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      for (;;) {
        const item = this.#items.shift();
        if (item !== undefined) {
          if (this.#items.length < this.highWaterMark) this.#waitingProducers.shift()?.();
          yield item;
          continue;
        }
        if (this.#isEnded) {
          if (this.#hasError) throw this.#error;
          return;
        }
        await new Promise<void>((resolve) => {
          this.#wakeConsumer = resolve;
        });
      }
    } finally {
      // A consumer that stops early must not leave producers waiting forever.
      this.#isEnded = true;
      for (const release of this.#waitingProducers.splice(0)) release();
    }
  }
}

// The session's output: replies are gathered and written in one go when the session is about to wait for
// input or when enough has accumulated; every write awaits the socket's drain (backpressure).
import { BurstWriteSize } from "../../net/burst-write-size.js";
import type { Connection } from "../../net/connection.js";

export class ReplyOutput {
  #parts: Buffer[] = [];
  #bytes = 0;
  /** When gathered replies are written (growing within a burst of pipelined replies). */
  readonly #writeSize = new BurstWriteSize();

  constructor(private readonly conn: Connection) {}

  /** Queues bytes; writes once the queue holds enough. */
  async send(bytes: Buffer | string): Promise<void> {
    if (this.queue(bytes)) await this.flush();
  }

  /**
   * Queues bytes without writing; true when the queue holds enough that the caller should flush before
   * queuing more (the synchronous RETR path, send-message.ts, queues a whole message this way).
   */
  queue(bytes: Buffer | string): boolean {
    const buffer = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
    if (buffer.length > 0) {
      this.#parts.push(buffer);
      this.#bytes += buffer.length;
    }
    return this.#writeSize.isReached(this.#bytes);
  }

  /** True when nothing is queued. */
  get isEmpty(): boolean {
    return this.#bytes === 0;
  }

  /** True when the queue holds enough to be written (see queue). */
  get isFull(): boolean {
    return this.#writeSize.isReached(this.#bytes);
  }

  /** Writes what is queued; the next write of this burst may be larger. */
  async flush(): Promise<void> {
    if (this.#bytes === 0) return;
    const parts = this.#parts;
    this.#parts = [];
    this.#bytes = 0;
    this.#writeSize.grow();
    // Message bodies go to the socket as read (one writev), not copied into one buffer first.
    await this.conn.writeChunks(parts);
  }

  /** Writes what is queued before the session waits for input; the next burst starts small again. */
  async flushBeforeWait(): Promise<void> {
    await this.flush();
    this.#writeSize.reset();
  }
}

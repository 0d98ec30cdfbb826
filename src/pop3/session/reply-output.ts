// The session's output: replies are gathered and written in one go when the session is about to wait for
// input or when enough has accumulated; every write awaits the socket's drain (backpressure).
import type { Connection } from "../../net/connection.js";

/**
 * The first write of a burst of pipelined replies goes out once this much has gathered, so the client
 * can start reading while the rest is prepared; each further write of the burst may be twice as large,
 * up to MAX_FLUSH_AT_BYTES. Every write costs a writev, a wait for 'drain' and the kernel's hand-over
 * whatever its size: a download of 10,000 pipelined 7 KB messages cost 145 ms of server CPU in 64 KiB
 * writes and 95 in 1 MiB ones (docs/performance.md, "Body reads", seventh pass).
 */
const FIRST_FLUSH_AT_BYTES = 64 * 1024;
const MAX_FLUSH_AT_BYTES = 1024 * 1024;

export class ReplyOutput {
  #parts: Buffer[] = [];
  #bytes = 0;
  #flushAtBytes = FIRST_FLUSH_AT_BYTES;

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
    return this.#bytes >= this.#flushAtBytes;
  }

  /** True when the queue holds enough to be written (see queue). */
  get isFull(): boolean {
    return this.#bytes >= this.#flushAtBytes;
  }

  /** Writes what is queued; the next write of this burst may be larger. */
  async flush(): Promise<void> {
    if (this.#bytes === 0) return;
    const parts = this.#parts;
    this.#parts = [];
    this.#bytes = 0;
    this.#flushAtBytes = Math.min(this.#flushAtBytes * 2, MAX_FLUSH_AT_BYTES);
    // Message bodies go to the socket as read (one writev), not copied into one buffer first.
    await this.conn.writeChunks(parts);
  }

  /** Writes what is queued before the session waits for input; the next burst starts small again. */
  async flushBeforeWait(): Promise<void> {
    await this.flush();
    this.#flushAtBytes = FIRST_FLUSH_AT_BYTES;
  }
}

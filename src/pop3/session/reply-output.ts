// The session's output: replies are gathered and written in one go when the session is about to wait for
// input or when enough has accumulated; every write awaits the socket's drain (backpressure).
import type { Connection } from "../../net/connection.js";

/**
 * Output gathered before a write, at most (plus the message that crossed it). Each write is a writev, a
 * wait for 'drain' and the kernel's work of handing the bytes to the peer, whatever its size: a download
 * of 10,000 pipelined 7 KB messages cost 145 ms of server CPU in 64 KiB writes, 120 in 256 KiB, 95 in
 * 1 MiB (docs/performance.md, "Body reads", seventh pass). A single command's reply still goes out at
 * once: the output is flushed whenever the session waits for input.
 */
const FLUSH_AT_BYTES = 1024 * 1024;

export class ReplyOutput {
  #parts: Buffer[] = [];
  #bytes = 0;

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
    return this.#bytes >= FLUSH_AT_BYTES;
  }

  /** True when the queue holds enough to be written (see queue). */
  get isFull(): boolean {
    return this.#bytes >= FLUSH_AT_BYTES;
  }

  async flush(): Promise<void> {
    if (this.#bytes === 0) return;
    const parts = this.#parts;
    this.#parts = [];
    this.#bytes = 0;
    // Message bodies go to the socket as read (one writev), not copied into one buffer first.
    await this.conn.writeChunks(parts);
  }
}

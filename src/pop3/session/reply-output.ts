// The session's output: replies are gathered and written in one go when the session is about to wait for
// input or when enough has accumulated; every write awaits the socket's drain (backpressure).
import type { Connection } from "../../net/connection.js";

const FLUSH_AT_BYTES = 64 * 1024;

export class ReplyOutput {
  #parts: Buffer[] = [];
  #bytes = 0;

  constructor(private readonly conn: Connection) {}

  /** Queues bytes; writes once the queue holds enough. */
  async send(bytes: Buffer | string): Promise<void> {
    const buffer = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
    if (buffer.length === 0) return;
    this.#parts.push(buffer);
    this.#bytes += buffer.length;
    if (this.#bytes >= FLUSH_AT_BYTES) await this.flush();
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

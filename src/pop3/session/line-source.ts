// The session's input: connection chunks cut into lines by the wire LineReader. Before it waits for the
// network it runs `beforeWait`, so replies to pipelined commands go out in one write (RFC 2449 §6.6).
import type { Connection } from "../../net/connection.js";
import type { LineEvent, LineReader } from "../wire/line-reader.js";

export class LineSource {
  readonly #chunks: AsyncIterator<Buffer>;
  #isWaiting = false;

  constructor(
    conn: Connection,
    private readonly reader: LineReader,
    private readonly beforeWait: () => Promise<void>,
  ) {
    this.#chunks = conn.chunks();
  }

  /** The next line event, or null at the end of input (EOF, close, idle timeout, shutdown). */
  async next(): Promise<LineEvent | null> {
    for (;;) {
      const event = this.reader.next();
      if (event !== null) return event;
      await this.beforeWait();
      this.#isWaiting = true;
      const result = await this.#chunks.next().finally(() => {
        this.#isWaiting = false;
      });
      if (result.done === true) return null;
      this.reader.feed(result.value);
    }
  }

  /**
   * The next line already received, without waiting or running `beforeWait`; null when the next event
   * needs more input (call next()). Pipelined RETRs are taken this way, one after the other, with no
   * await between them.
   */
  nextBuffered(): LineEvent | null {
    return this.reader.next();
  }

  /** Up to `max` pipelined command lines already received, not consumed (LineReader.peekLines). */
  pipelinedLines(max: number): Buffer[] {
    return this.reader.peekLines(max);
  }

  /** True while the session is idle, waiting for the client. */
  get isWaiting(): boolean {
    return this.#isWaiting;
  }

  /** Throws away every buffered byte (STLS; see the STARTTLS contract in net/connection.ts). */
  discard(): void {
    this.reader.discard();
  }
}

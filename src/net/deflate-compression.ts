// DEFLATE for a whole connection (RFC 4978 COMPRESS=DEFLATE, RFC 1951 raw deflate without zlib header):
// one inflate stream for what the client sends and one deflate stream for the replies, each keeping its
// 32 KiB window for the connection's lifetime. Every write batch ends with Z_SYNC_FLUSH (RFC 4978 §4),
// so a reply or an IDLE notification reaches the client whole instead of waiting in the compressor.
import type { Readable, Writable } from "node:stream";
import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from "node:zlib";

export class DeflateCompression {
  readonly #inflater: InflateRaw = createInflateRaw();
  readonly #deflater: DeflateRaw = createDeflateRaw();
  /** Output of the deflater since the last flush; collected while it flows (see `compress`). */
  #compressed: Buffer[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  /** Fails the batch being compressed when the connection goes away (its flush would never complete). */
  #failPending: ((error: Error) => void) | null = null;

  constructor() {
    this.#deflater.on("data", (chunk: Buffer) => this.#compressed.push(chunk));
  }

  /** Where the compressed bytes from the client go in. */
  get input(): Writable {
    return this.#inflater;
  }

  /** The client's bytes, decompressed; read it in paused mode, so a fast sender meets backpressure. */
  get output(): Readable {
    return this.#inflater;
  }

  /**
   * Compresses one write batch and flushes it to a byte boundary. Calls run one after another in call
   * order, so concurrent writers cannot interleave their output.
   */
  compress(bytes: Uint8Array | string): Promise<Buffer> {
    const result = this.#queue.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          if (this.#deflater.destroyed) return reject(new Error("compression closed"));
          this.#failPending = reject;
          this.#deflater.write(bytes, (error) => {
            if (error) reject(error);
          });
          // The flush callback runs after the deflater pushed all output of this batch: it flows out as
          // 'data' events at once because the stream is in flowing mode and never buffers.
          this.#deflater.flush(constants.Z_SYNC_FLUSH, () => {
            this.#failPending = null;
            const chunks = this.#compressed;
            this.#compressed = [];
            resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
          });
        }),
    );
    this.#queue = result.catch(() => {});
    return result;
  }

  destroy(): void {
    this.#failPending?.(new Error("compression closed"));
    this.#failPending = null;
    this.#inflater.destroy();
    this.#deflater.destroy();
  }
}

// DEFLATE for a whole connection (RFC 4978 COMPRESS=DEFLATE, RFC 1951 raw deflate without zlib header):
// one inflate stream for what the client sends and one deflate stream for the replies, each keeping its
// 32 KiB window for the connection's lifetime. Every write batch ends with Z_SYNC_FLUSH (RFC 4978 §4),
// so a reply or an IDLE notification reaches the client whole instead of waiting in the compressor.
import type { Readable, Writable } from "node:stream";
import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from "node:zlib";

export class DeflateCompression {
  readonly #inflater: InflateRaw = createInflateRaw();
  /**
   * Every write is compressed with Z_SYNC_FLUSH in one pass of the zlib thread pool: a separate
   * flush() would be a second pass per batch (a third of the server's CPU for a pipelined download
   * such as mbsync's, one batch per FETCH).
   */
  readonly #deflater: DeflateRaw;
  /** Output of the deflater for the batch in the compressor; collected while it flows (see `compress`). */
  #compressed: Buffer[] = [];
  /** Fails the batches still in the compressor when the connection goes away (they would never complete). */
  readonly #pending = new Set<(error: Error) => void>();

  /** `level`: zlib's compression level, 0 (stored) to 9. */
  constructor(level: number) {
    this.#deflater = createDeflateRaw({ level, flush: constants.Z_SYNC_FLUSH });
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
   * Compresses one write batch and flushes it to a byte boundary. The deflater takes writes one after
   * another in call order, so concurrent writers cannot interleave their output.
   */
  compress(bytes: Uint8Array | string): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      if (this.#deflater.destroyed) return reject(new Error("compression closed"));
      this.#pending.add(reject);
      // The write's callback runs once zlib has pushed all of this batch's output, which flows out as
      // 'data' events at once (flowing mode, never buffered), and before the next batch is taken: what
      // was collected since the previous callback is exactly this batch.
      this.#deflater.write(bytes, (error) => {
        this.#pending.delete(reject);
        if (error) return reject(error);
        const chunks = this.#compressed;
        this.#compressed = [];
        resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
      });
    });
  }

  /** True while a batch is in the compressor (it may still read the bytes it was given). */
  get isCompressing(): boolean {
    return this.#pending.size > 0;
  }

  destroy(): void {
    const error = new Error("compression closed");
    for (const reject of this.#pending) reject(error);
    this.#pending.clear();
    this.#inflater.destroy();
    this.#deflater.destroy();
  }
}

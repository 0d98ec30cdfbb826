// Content-addressed message bodies in PostgreSQL (ARCHITECTURE.md "Blobs"), so one database cluster is
// the whole state of every node. A blob is a row in `blobs` and its bytes are fixed-size chunks in
// `blob_chunks`, each deflated when that saves space, so a range read fetches and inflates only the
// chunks it covers. put() resolves after its transaction committed (durable: synchronous_commit). A
// prefixed blob (<sha256>p, as in the file store) is a row holding the prefix and naming its base.
import { createHash, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { deflateRaw, inflateRaw } from "node:zlib";
import type { BlobHash } from "../../kit/ids.js";
import { MailError } from "../../kit/mail-error.js";
import { verifiedBlob, verifiedChunks } from "../blob/blob-integrity.js";
import type { BlobStore, StoredBlob } from "../mail-store.js";
import type { PgDatabase, Sql } from "./pg-database.js";

const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

/** Raw bytes per chunk: a range read inflates at most this much more than it returns at either end. */
const CHUNK_BYTES = 256 * 1024;
/** A chunk is stored deflated only if that saves at least a tenth (base64 attachments barely shrink). */
const DEFLATE_WORTH_RATIO = 0.9;
/** Chunks fetched per query while streaming a large range: bounded memory, few round trips. */
const CHUNKS_PER_FETCH = 8;
/** Blobs examined per page by collectGarbage. */
const GC_PAGE = 1000;
const PREFIXED_SUFFIX = "p";

interface BlobRow {
  hash: string;
  size: number;
  chunk_bytes: number;
  base_hash: string | null;
  prefix: Buffer | null;
}

interface ChunkRow {
  seq: number;
  deflated: boolean;
  data: Buffer;
}

interface PreparedChunk {
  readonly deflated: boolean;
  readonly data: Buffer;
}

export class PgBlobStore implements BlobStore {
  constructor(readonly sql: PgDatabase) {}

  hashOf(bytes: Uint8Array): BlobHash {
    return createHash("sha256").update(bytes).digest("hex") as BlobHash;
  }

  async put(
    source: Uint8Array | AsyncIterable<Uint8Array>,
    maxBytes = Number.POSITIVE_INFINITY,
  ): Promise<{ hash: BlobHash; size: number }> {
    if (source instanceof Uint8Array) {
      if (source.byteLength > maxBytes) throw tooBig(maxBytes);
      const hash = this.hashOf(source);
      await this.#putWhole(hash, Buffer.from(source.buffer, source.byteOffset, source.byteLength));
      return { hash, size: source.byteLength };
    }
    const iterator = source[Symbol.asyncIterator]();
    try {
      return await this.#putStream(iterator, maxBytes);
    } catch (error) {
      // Stopped early (too big, database error): let the source release what it holds.
      await iterator.return?.().catch(() => {});
      throw error;
    }
  }

  /** Stores bytes whose hash is known; an existing blob is only made young again (see collectGarbage). */
  async #putWhole(hash: BlobHash, bytes: Buffer): Promise<void> {
    if (await this.#touch(this.sql, hash)) return;
    const chunks = await prepareChunks(bytes);
    await this.sql.write(async (tx) => {
      if (await this.#insertRow(tx, hash, bytes.byteLength)) await insertChunks(tx, hash, 0, chunks);
    });
  }

  /**
   * Streams: the first chunk is gathered before any connection is taken (most messages fit in one).
   * Larger ones are written chunk by chunk under a staging name inside one transaction and renamed to
   * their hash at the end, or rolled back if the content already exists or the source fails.
   */
  async #putStream(
    source: AsyncIterator<Uint8Array>,
    maxBytes: number,
  ): Promise<{ hash: BlobHash; size: number }> {
    const hasher = createHash("sha256");
    let size = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const take = async (): Promise<boolean> => {
      const next = await source.next();
      if (next.done) return false;
      const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      size += chunk.byteLength;
      if (size > maxBytes) throw tooBig(maxBytes);
      hasher.update(chunk);
      pending.push(chunk);
      pendingBytes += chunk.byteLength;
      return true;
    };
    let isDone = false;
    while (pendingBytes <= CHUNK_BYTES && !isDone) isDone = !(await take());
    if (isDone) {
      const hash = hasher.digest("hex") as BlobHash;
      await this.#putWhole(hash, Buffer.concat(pending));
      return { hash, size };
    }
    return this.sql.write(async (tx) => {
      const staging = `~${randomBytes(16).toString("hex")}`;
      let seq = 0;
      const flush = async (all: boolean) => {
        const joined = Buffer.concat(pending);
        const whole = all ? joined.byteLength : joined.byteLength - (joined.byteLength % CHUNK_BYTES);
        if (whole > 0) {
          const chunks = await prepareChunks(joined.subarray(0, whole));
          await insertChunks(tx, staging, seq, chunks);
          seq += chunks.length;
        }
        pending = whole < joined.byteLength ? [joined.subarray(whole)] : [];
        pendingBytes = joined.byteLength - whole;
      };
      while (!isDone) {
        isDone = !(await take());
        if (pendingBytes >= CHUNK_BYTES * CHUNKS_PER_FETCH || isDone) await flush(isDone);
      }
      const hash = hasher.digest("hex") as BlobHash;
      if (await this.#insertRow(tx, hash, size)) {
        await tx.run("UPDATE blob_chunks SET hash = $1 WHERE hash = $2", [hash, staging]);
      } else {
        await tx.run("DELETE FROM blob_chunks WHERE hash = $1", [staging]);
      }
      return { hash, size };
    });
  }

  /**
   * Inserts the blob's row; false if it exists already (then it is made young again instead). A
   * concurrent insert of the same hash waits for the other transaction, so exactly one writes chunks.
   */
  async #insertRow(
    tx: Sql,
    hash: BlobHash,
    size: number,
    prefixed?: { base: BlobHash; prefix: Buffer },
  ): Promise<boolean> {
    const row = await tx.one<{ inserted: boolean }>(
      `INSERT INTO blobs (hash, size, chunk_bytes, base_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (hash) DO UPDATE SET created_at = EXCLUDED.created_at RETURNING (xmax = 0) AS inserted`,
      [hash, size, CHUNK_BYTES, prefixed?.base ?? null, prefixed?.prefix ?? null, Date.now()],
    );
    return row?.inserted === true;
  }

  /** Marks an existing blob as just stored, so a garbage collection running now keeps it. */
  async #touch(sql: Sql, hash: BlobHash): Promise<boolean> {
    return (await sql.run("UPDATE blobs SET created_at = $2 WHERE hash = $1", [hash, Date.now()])) > 0;
  }

  async putPrefixed(prefix: Uint8Array, base: BlobHash): Promise<{ hash: BlobHash; size: number }> {
    return this.sql.write(async (tx) => {
      let baseRow = await lockedRow(tx, base);
      let allPrefix = Buffer.from(prefix);
      if (baseRow?.base_hash) {
        // Prefixing a prefixed blob keeps one level: the prefixes join in front of the same base.
        allPrefix = Buffer.concat([allPrefix, baseRow.prefix ?? Buffer.alloc(0)]);
        baseRow = await lockedRow(tx, baseRow.base_hash as BlobHash);
      }
      if (!baseRow) throw missing(base);
      const baseHash = baseRow.hash as BlobHash;
      const manifest = Buffer.concat([Buffer.from(`${baseHash}\n`, "latin1"), allPrefix]);
      const hash = `${createHash("sha256").update(manifest).digest("hex")}${PREFIXED_SUFFIX}` as BlobHash;
      const size = allPrefix.byteLength + baseRow.size;
      await this.#insertRow(tx, hash, size, { base: baseHash, prefix: allPrefix });
      return { hash, size };
    });
  }

  /** Checks the bytes against the hash (blob-integrity.ts): a damaged blob rejects with "corrupted". */
  async read(hash: BlobHash): Promise<Buffer> {
    if (hash.endsWith(PREFIXED_SUFFIX)) {
      const row = await this.sql.one<BlobRow>(
        "SELECT hash, size, chunk_bytes, base_hash, prefix FROM blobs WHERE hash = $1",
        [hash],
      );
      if (!row?.base_hash) throw missing(hash);
      const prefix = row.prefix ?? Buffer.alloc(0);
      verifiedBlob(hash, Buffer.concat([Buffer.from(`${row.base_hash}\n`, "latin1"), prefix]));
      return Buffer.concat([prefix, await this.read(row.base_hash as BlobHash)]);
    }
    // readRange checks a whole read against the hash.
    const parts: Uint8Array[] = [];
    for await (const part of this.readRange(hash, 0, Number.MAX_SAFE_INTEGER)) parts.push(part);
    return Buffer.concat(parts);
  }

  async *readRange(hash: BlobHash, start: number, end: number): AsyncIterable<Uint8Array> {
    if (end <= start) return;
    // One round trip for the blob's row and the first chunks of the range: most reads need no more.
    const rows = await this.sql.rows<BlobRow & { seq: number | null; deflated: boolean; data: Buffer }>(
      `SELECT b.hash, b.size, b.chunk_bytes, b.base_hash, b.prefix, c.seq, c.deflated, c.data
       FROM blobs b LEFT JOIN blob_chunks c ON c.hash = b.hash
         AND c.seq >= $2::bigint / b.chunk_bytes
         AND c.seq <= LEAST((LEAST($3::bigint, b.size) - 1) / b.chunk_bytes, $2::bigint / b.chunk_bytes + $4 - 1)
       WHERE b.hash = $1 ORDER BY c.seq`,
      [hash, start, end, CHUNKS_PER_FETCH],
    );
    const row = rows[0];
    if (!row) throw missing(hash);
    const stop = Math.min(end, row.size);
    if (start >= stop) return;
    if (row.base_hash) {
      const prefix = row.prefix ?? Buffer.alloc(0);
      // A read from the start checks the manifest; the base's own read checks the rest when whole.
      if (start === 0)
        verifiedBlob(hash, Buffer.concat([Buffer.from(`${row.base_hash}\n`, "latin1"), prefix]));
      if (start < prefix.byteLength) yield prefix.subarray(start, Math.min(stop, prefix.byteLength));
      if (stop > prefix.byteLength) {
        yield* this.readRange(
          row.base_hash as BlobHash,
          Math.max(start - prefix.byteLength, 0),
          stop - prefix.byteLength,
        );
      }
      return;
    }
    const firstBatch = rows.filter((chunk): chunk is typeof chunk & ChunkRow => chunk.seq !== null);
    const chunks = this.#chunksOf(hash, row.chunk_bytes, start, stop, firstBatch);
    // A read of the whole blob (IMAP BODY[], POP3 RETR, read()) is checked as it streams.
    yield* start === 0 && stop === row.size ? verifiedChunks(hash, chunks) : chunks;
  }

  /** Bytes [start, stop) of a plain blob, from the chunks already fetched and then CHUNKS_PER_FETCH at a time. */
  async *#chunksOf(
    hash: BlobHash,
    chunkBytes: number,
    start: number,
    stop: number,
    firstBatch: ChunkRow[],
  ): AsyncGenerator<Uint8Array> {
    const lastSeq = Math.floor((stop - 1) / chunkBytes);
    let batch = firstBatch;
    for (let first = Math.floor(start / chunkBytes); ; ) {
      for (const chunk of batch) {
        const bytes = await rawChunk(chunk);
        const offset = chunk.seq * chunkBytes;
        yield bytes.subarray(Math.max(start - offset, 0), Math.min(stop - offset, bytes.byteLength));
      }
      first += CHUNKS_PER_FETCH;
      if (first > lastSeq) return;
      batch = await this.sql.rows<ChunkRow>(
        "SELECT seq, deflated, data FROM blob_chunks WHERE hash = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq",
        [hash, first, Math.min(first + CHUNKS_PER_FETCH - 1, lastSeq)],
      );
    }
  }

  async has(hash: BlobHash): Promise<boolean> {
    return (await this.sql.one("SELECT 1 FROM blobs WHERE hash = $1", [hash])) !== undefined;
  }

  async *listBlobs(): AsyncIterable<StoredBlob> {
    for (let after = ""; ; ) {
      const page = await this.sql.rows<{ hash: BlobHash; base_hash: BlobHash | null }>(
        "SELECT hash, base_hash FROM blobs WHERE hash > $1 ORDER BY hash LIMIT $2",
        [after, GC_PAGE],
      );
      for (const row of page) yield { hash: row.hash, base: row.base_hash };
      if (page.length < GC_PAGE) return;
      after = page[page.length - 1]?.hash ?? after;
    }
  }

  /**
   * As the file store: blobs older than `minAgeMs` that nothing references go; a base blob stays while a
   * prefixed blob that stays names it. Prefixed blobs are removed first, and a base is only deleted in a
   * statement that finds no prefixed blob naming it and its age still old (a put() may have touched it).
   */
  async collectGarbage(
    isReferenced: (hash: BlobHash) => Promise<boolean>,
    minAgeMs: number,
  ): Promise<number> {
    const cutoff = Date.now() - minAgeMs;
    const neededBases = new Set<string>();
    const prefixedCandidates: BlobHash[] = [];
    const baseCandidates: BlobHash[] = [];
    let after = "";
    for (;;) {
      const page = await this.sql.rows<{ hash: string; base_hash: string | null; created_at: number }>(
        "SELECT hash, base_hash, created_at FROM blobs WHERE hash > $1 ORDER BY hash LIMIT $2",
        [after, GC_PAGE],
      );
      for (const blob of page) {
        const hash = blob.hash as BlobHash;
        const isFresh = blob.created_at > cutoff;
        if (blob.base_hash !== null) {
          if (isFresh || (await isReferenced(hash))) neededBases.add(blob.base_hash);
          else prefixedCandidates.push(hash);
        } else if (!isFresh) {
          baseCandidates.push(hash);
        }
      }
      if (page.length < GC_PAGE) break;
      after = page[page.length - 1]?.hash ?? after;
    }
    let removed = 0;
    for (const hash of prefixedCandidates) {
      removed += await this.sql.run("DELETE FROM blobs WHERE hash = $1 AND created_at <= $2", [hash, cutoff]);
    }
    for (const hash of baseCandidates) {
      if (neededBases.has(hash) || (await isReferenced(hash))) continue;
      removed += await this.sql.write(async (tx) => {
        const deleted = await tx.run(
          `DELETE FROM blobs WHERE hash = $1 AND created_at <= $2
             AND NOT EXISTS (SELECT 1 FROM blobs p WHERE p.base_hash = $1)`,
          [hash, cutoff],
        );
        if (deleted > 0) await tx.run("DELETE FROM blob_chunks WHERE hash = $1", [hash]);
        return deleted;
      });
    }
    return removed;
  }
}

/** The blob's row, locked against deletion until the transaction ends (FOR KEY SHARE, as a foreign key does). */
function lockedRow(tx: Sql, hash: BlobHash): Promise<BlobRow | undefined> {
  return tx.one<BlobRow>(
    "SELECT hash, size, chunk_bytes, base_hash, prefix FROM blobs WHERE hash = $1 FOR KEY SHARE",
    [hash],
  );
}

async function prepareChunks(bytes: Buffer): Promise<PreparedChunk[]> {
  const chunks: PreparedChunk[] = [];
  for (let offset = 0; offset < bytes.byteLength; offset += CHUNK_BYTES) {
    const raw = bytes.subarray(offset, offset + CHUNK_BYTES);
    const deflated = await deflate(raw);
    chunks.push(
      deflated.byteLength <= raw.byteLength * DEFLATE_WORTH_RATIO
        ? { deflated: true, data: deflated }
        : { deflated: false, data: raw },
    );
  }
  return chunks;
}

async function insertChunks(tx: Sql, hash: string, firstSeq: number, chunks: readonly PreparedChunk[]) {
  for (const [i, chunk] of chunks.entries()) {
    await tx.run("INSERT INTO blob_chunks (hash, seq, deflated, data) VALUES ($1, $2, $3, $4)", [
      hash,
      firstSeq + i,
      chunk.deflated,
      chunk.data,
    ]);
  }
}

function rawChunk(chunk: ChunkRow): Promise<Buffer> {
  return chunk.deflated ? inflate(chunk.data) : Promise.resolve(chunk.data);
}

function tooBig(maxBytes: number): MailError {
  return new MailError("tooBig", `Message exceeds the maximum size of ${maxBytes} bytes`);
}

function missing(hash: BlobHash): MailError {
  return new MailError("nonexistent", `Message content ${hash.slice(0, 12)} is missing`);
}

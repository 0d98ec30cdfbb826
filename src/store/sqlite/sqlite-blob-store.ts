// The embedded store's BlobStore: message bodies that arrived with their append (NewMessage.body) and
// are small live in the database's `message_blobs` table (migration 13), written in the append's own
// transaction, so one WAL commit and fsync cover body and rows; everything else is the file tree of
// FileBlobStore. Reads look in the table first (a primary-key lookup), then in the files.
import type { Statement } from "better-sqlite3";
import type { BlobHash } from "../../kit/ids.js";
import { verifiedBlob } from "../blob/blob-integrity.js";
import type { FileBlobStore } from "../blob/file-blob-store.js";
import type { BlobRange, BlobStore, StoredBlob, WholeBlob } from "../mail-store.js";
import { isBlobReferencedNow } from "./blob-references.js";
import { type NativeBodyCopy, nativeBodyCopy } from "./native-body-copy.js";
import type { SqliteDatabase } from "./sqlite-database.js";

/**
 * Bodies up to this size go into the database with their append. Most mail is well below it (the
 * bench corpus: 8 KB on average); above it, the copy through the WAL and the checkpoint would cost
 * more than the file's own fsync saves.
 */
export const INLINE_BODY_MAX_BYTES = 64 * 1024;

/**
 * The stored copy an inline read saw, for blob-integrity.ts: a row is written once and never updated
 * (INSERT OR IGNORE), so the same name and length is the same row.
 */
const INLINE_STAMP = "row";

/** Table rows examined per page by collectGarbage. */
const GC_PAGE = 1000;
/** A plain blob's hash (hex SHA-256); prefixed blobs (one more character) are always files. */
const PLAIN_HASH_LENGTH = 64;

export class SqliteBlobStore implements BlobStore {
  /** The body read, prepared once and plucked (the bytes, no row object): a download runs it per message. */
  #selectBytes: Statement<[string], Buffer> | null = null;
  /** readRangesNow's transaction, made once (better-sqlite3 builds several wrapper functions per call). */
  #readRangesInTransaction: ((ranges: readonly BlobRange[]) => (Buffer | null)[]) | null = null;
  /**
   * Present only where the native body copier is built (native-body-copy.ts) and loads into this
   * connection; otherwise callers read bodies the allocating way.
   */
  readonly readWholeInto?: (blobs: readonly WholeBlob[], target: Buffer) => (Buffer | null)[];

  constructor(
    private readonly sql: SqliteDatabase,
    /** Where every other blob lives. */
    readonly files: FileBlobStore,
    copier: NativeBodyCopy | null = nativeBodyCopy,
  ) {
    const copyInTransaction = copier === null ? null : prepareCopies(sql, copier);
    if (copier !== null && copyInTransaction !== null) {
      this.readWholeInto = (blobs, target) => copyWholeInto(copier, copyInTransaction, blobs, target);
    }
  }

  hashOf(bytes: Uint8Array): BlobHash {
    return this.files.hashOf(bytes);
  }

  put(
    source: Uint8Array | AsyncIterable<Uint8Array>,
    maxBytes?: number,
  ): Promise<{ hash: BlobHash; size: number }> {
    return this.files.put(source, maxBytes);
  }

  async putPrefixed(prefix: Uint8Array, base: BlobHash): Promise<{ hash: BlobHash; size: number }> {
    // A prefixed blob names its base by file; a base kept in the table gets its file first.
    const inline = this.#inline(base);
    if (inline) await this.files.put(inline);
    return this.files.putPrefixed(prefix, base);
  }

  /**
   * Writes a body inside the caller's write transaction (SqliteMessages.appendMany); the row commits
   * with the rows that reference it. Storing bytes that are already there changes nothing.
   */
  insertInline(hash: BlobHash, bytes: Uint8Array): void {
    this.sql.stmt("INSERT OR IGNORE INTO message_blobs (hash, bytes) VALUES (?, ?)").run(hash, bytes);
  }

  /** Checks the bytes against the hash (blob-integrity.ts): a damaged blob rejects with "corrupted". */
  async read(hash: BlobHash): Promise<Buffer> {
    const inline = this.#inline(hash);
    return inline ? verifiedBlob(hash, inline, INLINE_STAMP) : this.files.read(hash);
  }

  readRange(hash: BlobHash, start: number, end: number): AsyncIterable<Uint8Array> {
    const inline = this.#inline(hash);
    if (!inline) return this.files.readRange(hash, start, end);
    return oneChunk(rangeOf(hash, inline, start, end));
  }

  readRangeNow(hash: BlobHash, start: number, end: number): Buffer | null {
    const inline = this.#inline(hash);
    if (!inline) return this.files.readRangeNow(hash, start, end);
    return rangeOf(hash, inline, start, end);
  }

  /**
   * One read transaction for all the ranges: a statement outside a transaction takes and drops the WAL
   * read lock (system calls) by itself, a third of a small body's read.
   */
  readRangesNow(ranges: readonly BlobRange[]): (Buffer | null)[] {
    this.#readRangesInTransaction ??= this.sql.db.transaction((wanted: readonly BlobRange[]) =>
      wanted.map((range) => {
        try {
          return this.readRangeNow(range.hash, range.start, range.end);
        } catch {
          return null;
        }
      }),
    );
    return this.#readRangesInTransaction(ranges);
  }

  async has(hash: BlobHash): Promise<boolean> {
    return this.#isInline(hash) || this.files.has(hash);
  }

  async *listBlobs(): AsyncIterable<StoredBlob> {
    yield* this.files.listBlobs();
    const page = this.sql.stmt<{ hash: BlobHash }>(
      "SELECT hash FROM message_blobs WHERE hash > ? ORDER BY hash LIMIT ?",
    );
    for (let after = ""; ; ) {
      const hashes = page.all(after, GC_PAGE).map((row) => row.hash);
      if (hashes.length === 0) return;
      after = hashes[hashes.length - 1] as string;
      for (const hash of hashes) yield { hash, base: null };
    }
  }

  /**
   * Collects the files, then the table's rows that nothing references. A row is written in the same
   * transaction as the email that references it, so it is never young and unreferenced: no age test.
   */
  async collectGarbage(
    isReferenced: (hash: BlobHash) => Promise<boolean>,
    minAgeMs: number,
  ): Promise<number> {
    let removed = await this.files.collectGarbage(isReferenced, minAgeMs);
    const page = this.sql.stmt<{ hash: BlobHash }>(
      "SELECT hash FROM message_blobs WHERE hash > ? ORDER BY hash LIMIT ?",
    );
    // Page by page in hash order, so memory stays bounded however many bodies the table holds.
    for (let after = ""; ; ) {
      const hashes = page.all(after, GC_PAGE).map((row) => row.hash);
      if (hashes.length === 0) break;
      after = hashes[hashes.length - 1] as string;
      for (const hash of hashes) {
        if (await isReferenced(hash)) continue;
        // Decided again inside the write: an append of the same bytes may have committed meanwhile
        // (its INSERT OR IGNORE kept this row rather than writing its own).
        removed += this.sql.write(() =>
          isBlobReferencedNow(this.sql, hash)
            ? 0
            : this.sql.stmt("DELETE FROM message_blobs WHERE hash = ?").run(hash).changes,
        );
      }
    }
    return removed;
  }

  #inline(hash: BlobHash): Buffer | undefined {
    if (hash.length !== PLAIN_HASH_LENGTH) return undefined;
    this.#selectBytes ??= this.sql.db
      .prepare<[string], Buffer>("SELECT bytes FROM message_blobs WHERE hash = ?")
      .pluck();
    return this.#selectBytes.get(hash);
  }

  #isInline(hash: BlobHash): boolean {
    if (hash.length !== PLAIN_HASH_LENGTH) return false;
    return this.sql.stmt("SELECT 1 FROM message_blobs WHERE hash = ?").get(hash) !== undefined;
  }
}

/** readWholeInto's copies of a batch, in one read transaction. */
type CopyInTransaction = (blobs: readonly WholeBlob[], target: Buffer) => (Buffer | null)[];

/**
 * Loads the copier into this connection and prepares its statement; null when it cannot (an addon built
 * for another SQLite, say): the store then reads bodies without it.
 */
function prepareCopies(sql: SqliteDatabase, copier: NativeBodyCopy): CopyInTransaction | null {
  let copyRow: Statement<[number, string], number>;
  try {
    // better-sqlite3 takes the entry point as a second argument; its types declare only the path.
    const loadExtension = sql.db.loadExtension as (path: string, entryPoint: string) => unknown;
    loadExtension.call(sql.db, copier.path, copier.sqliteEntryPoint);
    copyRow = sql.db
      .prepare<[number, string], number>(
        "SELECT postfach_copy_into(bytes, ?) FROM message_blobs WHERE hash = ?",
      )
      .pluck();
  } catch {
    return null;
  }
  return sql.db.transaction((wanted: readonly WholeBlob[], into: Buffer) => {
    let offset = 0;
    return wanted.map(({ hash, size }) => {
      if (hash.length !== PLAIN_HASH_LENGTH || offset + size > into.byteLength) return null;
      // undefined: no such row (a file, or gone); -1: it did not fit (larger than its entry says).
      const copied = copyRow.get(offset, hash);
      if (copied === undefined || copied !== size) return null;
      const bytes = into.subarray(offset, offset + size);
      try {
        verifiedBlob(hash, bytes, INLINE_STAMP);
      } catch {
        return null; // damaged: readRangeNow reads it again and says so
      }
      offset += size;
      return bytes;
    });
  });
}

/**
 * BlobStore.readWholeInto: each body's row copied by postfach_copy_into straight from SQLite's record
 * into `target` (one copy, no Buffer per body), all in one read transaction. A copy is checked against
 * its hash as any whole read is.
 */
function copyWholeInto(
  copier: NativeBodyCopy,
  copyInTransaction: CopyInTransaction,
  blobs: readonly WholeBlob[],
  target: Buffer,
): (Buffer | null)[] {
  copier.setTarget(target);
  try {
    return copyInTransaction(blobs, target);
  } catch {
    return blobs.map(() => null);
  } finally {
    copier.clearTarget();
  }
}

/** Bytes [start, end) of an inline body; a read of all of it is checked against the hash, as read() is. */
function rangeOf(hash: BlobHash, inline: Buffer, start: number, end: number): Buffer {
  if (start === 0 && end >= inline.byteLength) return verifiedBlob(hash, inline, INLINE_STAMP);
  return inline.subarray(start, Math.max(start, Math.min(end, inline.byteLength)));
}

/** An iterable of one chunk (none when it is empty). */
function oneChunk(chunk: Uint8Array): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      if (chunk.byteLength > 0) yield chunk;
    },
  };
}

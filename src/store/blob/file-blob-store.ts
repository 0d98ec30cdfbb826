// Content-addressed message bodies on disk: <root>/<aa>/<bb>/<sha256>. A blob is written to a
// temporary file, fsynced, renamed into place and its directory fsynced before put() resolves, so a
// blob that a committed transaction references survives kill -9 and power loss. A prefixed blob
// (<sha256>p) is a small file naming its base blob and holding the bytes that come before it.
import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  createReadStream,
  fstatSync,
  openSync,
  readSync,
  type Stats,
  statSync,
  unlinkSync,
  utimesSync,
} from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from "node:fs/promises";
import { join, sep } from "node:path";
import type { BlobHash } from "../../kit/ids.js";
import { MailError, rethrowStorageError } from "../../kit/mail-error.js";
import type { BlobStore, StoredBlob } from "../mail-store.js";
import { SharedFsync } from "../shared-fsync.js";
import { verifiedBlob, verifiedChunks } from "./blob-integrity.js";

const HASH_PATTERN = /^[0-9a-f]{64}p?$/;
/** Marks a prefixed blob's name; its file is `<base hash>\n<prefix bytes>`. */
const PREFIXED_SUFFIX = "p";
/** A temporary file older than this was left by a crash, not by a write in progress. */
const STALE_TMP_MS = 60 * 60 * 1000;
/**
 * Blobs and ranges up to this size are read at once with synchronous calls. Bodies are almost always in
 * the page cache, where open+read+close cost a few microseconds, less than the main thread spends on a
 * single promise round trip through libuv's thread pool (and an async read takes three, in sequence).
 * Larger ones are streamed, so no read blocks the event loop for long.
 */
const SYNC_READ_MAX_BYTES = 256 * 1024;
/** Chunk size when streaming a large blob. */
const STREAM_CHUNK_BYTES = 256 * 1024;

export class FileBlobStore implements BlobStore {
  readonly #root: string;
  /** `<root>/`, normalized once: pathOf runs for every read and path.join costs more than the rest of it. */
  readonly #rootPrefix: string;
  readonly #tmpDir: string;
  /** Blob directories made durable in this process (created if needed, parents synced), by path. */
  readonly #readyDirs = new Map<string, Promise<void>>();
  /** Directory fsyncs in progress, shared by concurrent puts that renamed into the same directory. */
  readonly #dirSyncs = new Map<string, SharedFsync>();

  private constructor(root: string) {
    this.#root = root;
    this.#rootPrefix = join(root, sep);
    this.#tmpDir = join(root, "tmp");
  }

  /**
   * Opens (creating if needed) a blob store under `root`, removing temporary files a crash left.
   * Only old ones: another process (the CLI beside a running server) may be writing the fresh ones.
   */
  static async open(root: string): Promise<FileBlobStore> {
    const store = new FileBlobStore(root);
    await mkdir(store.#tmpDir, { recursive: true });
    const cutoff = Date.now() - STALE_TMP_MS;
    for (const name of await readdir(store.#tmpDir)) {
      const path = join(store.#tmpDir, name);
      const info = await stat(path).catch(() => null);
      if (info && info.mtimeMs < cutoff) await rm(path, { force: true });
    }
    return store;
  }

  hashOf(bytes: Uint8Array): BlobHash {
    return createHash("sha256").update(bytes).digest("hex") as BlobHash;
  }

  pathOf(hash: BlobHash): string {
    return `${this.#rootPrefix}${hash.slice(0, 2)}${sep}${hash.slice(2, 4)}${sep}${hash}`;
  }

  /** A full disk rejects with MailError("noSpace") (kit/mail-error.ts), leaving no partial blob. */
  put(
    source: Uint8Array | AsyncIterable<Uint8Array>,
    maxBytes = Number.POSITIVE_INFINITY,
  ): Promise<{ hash: BlobHash; size: number }> {
    return this.#put(source, maxBytes).catch(rethrowStorageError);
  }

  async #put(
    source: Uint8Array | AsyncIterable<Uint8Array>,
    maxBytes: number,
  ): Promise<{ hash: BlobHash; size: number }> {
    if (source instanceof Uint8Array) {
      if (source.byteLength > maxBytes) throw tooBig(maxBytes);
      const hash = this.hashOf(source);
      if (!touch(this.pathOf(hash))) await this.#writeDurably(hash, [source]);
      return { hash, size: source.byteLength };
    }
    return this.#putStream(source, maxBytes);
  }

  async #putStream(
    source: AsyncIterable<Uint8Array>,
    maxBytes: number,
  ): Promise<{ hash: BlobHash; size: number }> {
    const tmpPath = this.#tmpPath();
    const file = await open(tmpPath, "w", 0o600);
    const hasher = createHash("sha256");
    let size = 0;
    try {
      for await (const chunk of source) {
        size += chunk.byteLength;
        if (size > maxBytes) throw tooBig(maxBytes);
        hasher.update(chunk);
        await file.write(chunk);
      }
      await file.sync();
    } catch (error) {
      await file.close();
      await unlink(tmpPath).catch(() => {});
      throw error;
    }
    await file.close();
    const hash = hasher.digest("hex") as BlobHash;
    if (touch(this.pathOf(hash))) {
      await unlink(tmpPath);
    } else {
      await this.#moveIntoPlace(tmpPath, hash);
    }
    return { hash, size };
  }

  putPrefixed(prefix: Uint8Array, base: BlobHash): Promise<{ hash: BlobHash; size: number }> {
    return this.#putPrefixed(prefix, base).catch(rethrowStorageError);
  }

  async #putPrefixed(prefix: Uint8Array, base: BlobHash): Promise<{ hash: BlobHash; size: number }> {
    let allPrefix = prefix;
    let baseHash = base;
    if (isPrefixed(base)) {
      // Prefixing a prefixed blob keeps one level: the prefixes join in front of the same base.
      const inner = await this.#readManifest(base);
      allPrefix = Buffer.concat([prefix, inner.prefix]);
      baseHash = inner.base;
    }
    let baseSize: number;
    try {
      // Made young again first, so a collection running now keeps it for the blob about to name it.
      touch(this.pathOf(baseHash));
      baseSize = (await stat(this.pathOf(baseHash))).size;
    } catch (error) {
      throw missing(baseHash, error);
    }
    const manifest = Buffer.concat([Buffer.from(`${baseHash}\n`, "latin1"), allPrefix]);
    const hash = `${createHash("sha256").update(manifest).digest("hex")}${PREFIXED_SUFFIX}` as BlobHash;
    if (!touch(this.pathOf(hash))) await this.#writeDurably(hash, [manifest]);
    return { hash, size: allPrefix.byteLength + baseSize };
  }

  async #readManifest(hash: BlobHash, isVerified = false): Promise<{ prefix: Buffer; base: BlobHash }> {
    let bytes: Buffer;
    try {
      bytes = readSmallFile(this.pathOf(hash))?.bytes ?? (await readFile(this.pathOf(hash)));
    } catch (error) {
      throw missing(hash, error);
    }
    if (isVerified) verifiedBlob(hash, bytes);
    const newline = bytes.indexOf(10);
    return {
      base: bytes.subarray(0, newline).toString("latin1") as BlobHash,
      prefix: bytes.subarray(newline + 1),
    };
  }

  async #writeDurably(hash: BlobHash, chunks: readonly Uint8Array[]): Promise<void> {
    const tmpPath = this.#tmpPath();
    // Creating, writing and renaming stay in the thread pool: under the fsyncs of concurrent deliveries,
    // a file creation can wait for the file system's journal, which must not stall the main thread.
    const file = await open(tmpPath, "w", 0o600);
    try {
      for (const chunk of chunks) await file.write(chunk);
      await file.sync();
    } finally {
      await file.close();
    }
    await this.#moveIntoPlace(tmpPath, hash);
  }

  async #moveIntoPlace(tmpPath: string, hash: BlobHash): Promise<void> {
    const top = join(this.#root, hash.slice(0, 2));
    const dir = join(top, hash.slice(2, 4));
    let ready = this.#readyDirs.get(dir);
    if (!ready) {
      ready = this.#makeDurableDir(top, dir);
      this.#readyDirs.set(dir, ready);
      ready.catch(() => this.#readyDirs.delete(dir));
    }
    await ready;
    await rename(tmpPath, join(dir, hash));
    await this.#syncDirectory(dir);
  }

  /**
   * Creates a blob directory and syncs the parents whose entries changed: mkdir reports the first
   * directory it created, so a new <bb> costs one fsync of <aa> and only a new <aa> one of the root.
   * A directory that already existed gets both synced once, as its creator may not have yet.
   */
  async #makeDurableDir(top: string, dir: string): Promise<void> {
    const created = await mkdir(dir, { recursive: true });
    if (created !== dir) await this.#syncDirectory(this.#root);
    await this.#syncDirectory(top);
  }

  /** fsyncs a directory, sharing the fsync with concurrent callers (SharedFsync). */
  async #syncDirectory(path: string): Promise<void> {
    let sync = this.#dirSyncs.get(path);
    if (!sync) {
      sync = new SharedFsync(path);
      this.#dirSyncs.set(path, sync);
    }
    try {
      await sync.sync();
    } finally {
      if (sync.isIdle && this.#dirSyncs.get(path) === sync) this.#dirSyncs.delete(path);
    }
  }

  #tmpPath(): string {
    return join(this.#tmpDir, `${Date.now()}-${randomBytes(8).toString("hex")}`);
  }

  /** Checks the bytes against the hash (blob-integrity.ts): a damaged blob rejects with "corrupted". */
  async read(hash: BlobHash): Promise<Buffer> {
    if (isPrefixed(hash)) {
      const { prefix, base } = await this.#readManifest(hash, true);
      return Buffer.concat([prefix, await this.read(base)]);
    }
    let small: StampedBytes | null;
    let bytes: Buffer;
    try {
      small = readSmallFile(this.pathOf(hash));
      bytes = small?.bytes ?? (await readFile(this.pathOf(hash)));
    } catch (error) {
      throw missing(hash, error);
    }
    return verifiedBlob(hash, bytes, small?.stamp);
  }

  readRange(hash: BlobHash, start: number, end: number): AsyncIterable<Uint8Array> {
    // The usual case, a small range of a plain blob, skips the async generator below: one chunk, read
    // when iterated (less work per call, and far less code for V8 to optimize on the hot path).
    if (end > start && end - start <= SYNC_READ_MAX_BYTES && !isPrefixed(hash)) {
      return oneChunk(() => this.#readSmallRange(hash, start, end - start));
    }
    return this.#readRangeInChunks(hash, start, end);
  }

  readRangeNow(hash: BlobHash, start: number, end: number): Buffer | null {
    if (end - start > SYNC_READ_MAX_BYTES || isPrefixed(hash)) return null;
    return end > start ? this.#readSmallRange(hash, start, end - start) : Buffer.alloc(0);
  }

  async *#readRangeInChunks(hash: BlobHash, start: number, end: number): AsyncGenerator<Uint8Array> {
    if (end <= start) return;
    if (isPrefixed(hash)) {
      // A read from the start checks the manifest; the base's own read checks the rest when whole.
      const { prefix, base } = await this.#readManifest(hash, start === 0);
      if (start < prefix.byteLength) yield prefix.subarray(start, Math.min(end, prefix.byteLength));
      if (end > prefix.byteLength) {
        yield* this.readRange(base, Math.max(start - prefix.byteLength, 0), end - prefix.byteLength);
      }
      return;
    }
    if (end - start <= SYNC_READ_MAX_BYTES) {
      yield this.#readSmallRange(hash, start, end - start);
      return;
    }
    let size: number;
    try {
      size = (await stat(this.pathOf(hash))).size;
    } catch (error) {
      throw missing(hash, error);
    }
    const chunks = this.#streamFile(hash, start, end);
    // A read of the whole blob (IMAP BODY[], POP3 RETR of a large message) is checked as it streams.
    yield* start === 0 && end >= size ? verifiedChunks(hash, chunks) : chunks;
  }

  async *#streamFile(hash: BlobHash, start: number, end: number): AsyncGenerator<Uint8Array> {
    const stream = createReadStream(this.pathOf(hash), {
      start,
      end: end - 1,
      highWaterMark: STREAM_CHUNK_BYTES,
    });
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } catch (error) {
      throw missing(hash, error);
    } finally {
      stream.destroy();
    }
  }

  /**
   * One positioned read of a range of at most SYNC_READ_MAX_BYTES (synchronous, see there). A read of
   * the whole blob (IMAP BODY[], POP3 RETR) is checked against the hash, as read() is.
   */
  #readSmallRange(hash: BlobHash, start: number, length: number): Buffer {
    let fd: number;
    try {
      fd = openSync(this.pathOf(hash), "r");
    } catch (error) {
      throw missing(hash, error);
    }
    try {
      const buffer = Buffer.allocUnsafe(length);
      const bytes = buffer.subarray(0, readFully(fd, buffer, start));
      if (start === 0 && bytes.byteLength === length) {
        const stats = fstatSync(fd);
        if (stats.size === length) verifiedBlob(hash, bytes, stampOf(stats));
      }
      return bytes;
    } finally {
      closeSync(fd);
    }
  }

  async has(hash: BlobHash): Promise<boolean> {
    try {
      await stat(this.pathOf(hash));
      return true;
    } catch {
      return false;
    }
  }

  async *listBlobs(): AsyncIterable<StoredBlob> {
    for (const top of await readdir(this.#root)) {
      if (top === "tmp" || top.length !== 2) continue;
      for (const mid of await readdir(join(this.#root, top))) {
        for (const name of await readdir(join(this.#root, top, mid))) {
          if (!HASH_PATTERN.test(name)) continue;
          const hash = name as BlobHash;
          yield { hash, base: isPrefixed(hash) ? (await this.#readManifest(hash)).base : null };
        }
      }
    }
  }

  async collectGarbage(
    isReferenced: (hash: BlobHash) => Promise<boolean>,
    minAgeMs: number,
  ): Promise<number> {
    const cutoff = Date.now() - minAgeMs;
    const candidates: { name: BlobHash; path: string }[] = [];
    // A base blob stays while any prefixed blob that stays names it, referenced by an email or not.
    const neededBases = new Set<string>();
    for (const top of await readdir(this.#root)) {
      if (top === "tmp" || top.length !== 2) continue;
      for (const mid of await readdir(join(this.#root, top))) {
        const dir = join(this.#root, top, mid);
        for (const name of await readdir(dir)) {
          if (!HASH_PATTERN.test(name)) continue;
          const path = join(dir, name);
          // Gone since the listing: another collector (a CLI beside the server) was first.
          const info = await stat(path).catch(() => null);
          if (info === null) continue;
          const isFresh = info.mtimeMs > cutoff;
          if (isPrefixed(name as BlobHash)) {
            if (isFresh || (await isReferenced(name as BlobHash))) {
              const manifest = await this.#readManifest(name as BlobHash).catch(() => null);
              if (manifest !== null) neededBases.add(manifest.base);
            } else {
              candidates.push({ name: name as BlobHash, path });
            }
          } else if (!isFresh) {
            candidates.push({ name: name as BlobHash, path });
          }
        }
      }
    }
    let removed = 0;
    for (const { name, path } of candidates) {
      if (neededBases.has(name)) continue;
      if (!isPrefixed(name) && (await isReferenced(name))) continue;
      if (removeIfOlder(path, cutoff)) removed++;
    }
    return removed;
  }
}

/**
 * Marks an existing blob as just stored (its mtime is its age for collectGarbage), so a collection
 * running now keeps it for the append that is about to reference it; false if there is no such blob.
 * Synchronous, as is removeIfOlder: within this process the two never interleave.
 */
function touch(path: string): boolean {
  const now = new Date();
  try {
    utimesSync(path, now, now);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

/**
 * Removes a blob file if it is still older than `cutoff` (a put may have touched it since the scan);
 * true if it was removed here (another collector may have been first).
 */
function removeIfOlder(path: string, cutoff: number): boolean {
  try {
    if (statSync(path).mtimeMs > cutoff) return false;
    unlinkSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

/** The whole file when it is at most SYNC_READ_MAX_BYTES (read synchronously), else null. */
function readSmallFile(path: string): StampedBytes | null {
  const fd = openSync(path, "r");
  try {
    const stats = fstatSync(fd);
    if (stats.size > SYNC_READ_MAX_BYTES) return null;
    const buffer = Buffer.allocUnsafe(stats.size);
    return { bytes: buffer.subarray(0, readFully(fd, buffer, 0)), stamp: stampOf(stats) };
  } finally {
    closeSync(fd);
  }
}

/** A file's bytes and which copy of the file they came from (blob-integrity.ts). */
interface StampedBytes {
  readonly bytes: Buffer;
  readonly stamp: string;
}

/** The file a read saw: another inode (a replaced file) or modification time (a rewritten one) differs. */
function stampOf(stats: Stats): string {
  return `${stats.ino}:${stats.mtimeMs}`;
}

/** An iterable of the one chunk that `read` returns when iteration starts. */
function oneChunk(read: () => Uint8Array): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]: () => {
      let isDone = false;
      return {
        next: async (): Promise<IteratorResult<Uint8Array>> => {
          if (isDone) return { done: true, value: undefined };
          isDone = true;
          return { done: false, value: read() };
        },
      };
    },
  };
}

/** Fills `buffer` from `position` on (a read may return less than asked); returns the bytes read. */
function readFully(fd: number, buffer: Buffer, position: number): number {
  let filled = 0;
  while (filled < buffer.length) {
    const bytesRead = readSync(fd, buffer, filled, buffer.length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

function isPrefixed(hash: BlobHash): boolean {
  return hash.length === 65 && hash.endsWith(PREFIXED_SUFFIX);
}

function tooBig(maxBytes: number): MailError {
  return new MailError("tooBig", `Message exceeds the maximum size of ${maxBytes} bytes`);
}

function missing(hash: BlobHash, cause: unknown): MailError {
  return new MailError("nonexistent", `Message content ${hash.slice(0, 12)} is missing`, { cause });
}

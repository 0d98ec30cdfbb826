// Whole bodies for FETCHes, read together: when a whole-message FETCH (BODY[], RFC822, BINARY[]) needs a
// body, the bodies of the next messages of its batch and of the FETCHes the client already pipelined after
// it are read with it in one store call (MessageService.readRangesNow: one SQLite read transaction instead
// of one per body), and kept for them. Clients that download a mailbox send one `UID FETCH n (BODY.PEEK[])`
// per message, pipelined (mbsync, and the bench's fetch_body_random). Bounded by count and bytes; only
// small bodies, which the store reads at once. A body is named by its hash and never changes, so one read
// early is the same as one read when its FETCH runs; what a FETCH answers (its set, the snapshot, \Seen)
// is still decided when it runs. Where the store can (SQLite with the native copier), a batch is copied
// into one of the session's reused buffers (kit/reused-buffers.ts), which the session gives back once
// their bytes have gone out (releaseBuffers).
import type { BlobHash } from "../../kit/ids.js";
import type { HeldBuffers } from "../../kit/reused-buffers.js";
import type { BlobRange, WholeBlob } from "../../store/mail-store.js";

/** Bodies read in one go: the one needed now and up to this many minus one after it. */
const READ_AHEAD_BODIES = 32;
/** Bytes read in one go at most (into a reused buffer: its size): memory held for bodies not yet sent. */
const READ_AHEAD_BYTES = 1024 * 1024;
/** Larger bodies are read alone (and streamed when the store cannot read them at once). */
const READ_AHEAD_MAX_BODY_BYTES = 256 * 1024;

/** A whole body a FETCH will need: its blob and its size. */
export interface NeededBody {
  readonly blobHash: BlobHash;
  readonly size: number;
}

/** The reads the read-ahead uses (MessageService provides them). */
export interface BodyReads {
  readRangeNow(blobHash: BlobHash, start: number, end: number): Uint8Array | null;
  /** Never throws: null where a range cannot be read at once or is gone. */
  readRangesNow(ranges: readonly BlobRange[]): (Uint8Array | null)[];
  /** Reused buffers for readWholeInto, or null where the store cannot copy into them. */
  heldBodyBuffers(): HeldBuffers | null;
  /** Never throws: null where a body was not copied into `target`. */
  readWholeInto(blobs: readonly WholeBlob[], target: Buffer): (Uint8Array | null)[];
}

/** One per session: the bodies read ahead and not yet asked for. */
export class BodyReadAhead {
  readonly #bodies = new Map<BlobHash, Uint8Array>();
  /** False once a small body could not be read at once (a store that streams every body: PostgreSQL). */
  #canReadNow = true;
  /** The session's reused buffers: undefined until the first read asks the store for them. */
  #buffers: HeldBuffers | null | undefined;
  /** The buffer the kept bodies are views of (null when they were allocated, or none are kept). */
  #keptIn: Buffer | null = null;

  /**
   * The whole body of `needed`, read with those `next` gives (up to the count it is asked for, in the
   * order they will be needed) when it was not read ahead already; null when the store cannot read it
   * at once (stream it instead). Throws as readRangeNow does when it is gone.
   */
  readNow(
    reads: BodyReads,
    needed: NeededBody,
    next: (max: number) => readonly NeededBody[],
  ): Uint8Array | null {
    const kept = this.#bodies.get(needed.blobHash);
    if (kept !== undefined && kept.byteLength === needed.size) return kept;
    // What is left was read for FETCHes that did not come as expected (another command in between).
    this.clear();
    const alone = () => reads.readRangeNow(needed.blobHash, 0, needed.size);
    if (needed.size > READ_AHEAD_MAX_BODY_BYTES || !this.#canReadNow) return alone();
    this.#buffers ??= reads.heldBodyBuffers();
    const target = this.#buffers?.take() ?? null;
    const maxBytes = target === null ? READ_AHEAD_BYTES : target.byteLength;
    const wanted: WholeBlob[] = [{ hash: needed.blobHash, size: needed.size }];
    const hashes = new Set<BlobHash>([needed.blobHash]);
    let bytes = needed.size;
    for (const body of next(READ_AHEAD_BODIES - 1)) {
      if (wanted.length >= READ_AHEAD_BODIES) break;
      if (hashes.has(body.blobHash)) continue;
      if (body.size > READ_AHEAD_MAX_BODY_BYTES || bytes + body.size > maxBytes) break;
      wanted.push({ hash: body.blobHash, size: body.size });
      hashes.add(body.blobHash);
      bytes += body.size;
    }
    const read =
      target !== null
        ? reads.readWholeInto(wanted, target)
        : wanted.length === 1
          ? []
          : reads.readRangesNow(wanted.map(({ hash, size }) => ({ hash, start: 0, end: size })));
    for (let i = 1; i < wanted.length; i++) {
      const body = read[i];
      if (body) this.#bodies.set((wanted[i] as WholeBlob).hash, body);
    }
    if (target !== null && this.#bodies.size > 0) this.#keptIn = target;
    // Not read (gone, or not readable at once): read alone, which throws or returns null as it should.
    const body = read[0] ?? alone();
    // Looking ahead is no use where small bodies are streamed anyway.
    if (body === null) this.#canReadNow = false;
    return body;
  }

  /** Drops what was read ahead: the session calls it once the commands of an input chunk have run. */
  clear(): void {
    this.#bodies.clear();
    this.#keptIn = null;
  }

  /**
   * Gives the session's reused buffers back but the one kept bodies are in. The session calls it only
   * where none of their bytes can still be read: between commands, with no output queued or unsent.
   */
  releaseBuffers(): void {
    this.#buffers?.releaseExcept(this.#keptIn);
  }
}

// Literal bytes of FETCH body items (RFC 9051 §6.4.5, RFC 3516 §4.2): a range of the stored message is
// streamed from the blob store with its exact size announced; small computed pieces (picked header
// fields, decoded parts) are built in memory. As Dovecot does, NUL (not allowed in an IMAP literal) is
// sent as 0x80 in BODY, and BINARY uses literal8 `~{n}` only when the content holds a NUL.
import type { BlobHash } from "../../kit/ids.js";
import type { LiteralContent } from "../wire/response.js";
import { clampPartial } from "./section-resolver.js";

/** The blob reads the FETCH builder needs (MessageService provides them). */
export interface BlobRanges {
  readRange(blobHash: BlobHash, start: number, end: number): AsyncIterable<Uint8Array>;
  /** The bytes at once when the store can read them without waiting, else null (see BlobStore). */
  readRangeNow?(blobHash: BlobHash, start: number, end: number): Uint8Array | null;
}

type PartialRequest = { readonly offset: number; readonly length: number } | null;

const EMPTY_CONTENT: LiteralContent = { kind: "bytes", bytes: new Uint8Array(0) };

/**
 * Bytes [start, end) of the message, cut to the partial, streamed (never read whole into memory).
 * `isBinary` sends them untouched as literal8, which a BINARY response may always use (RFC 3516 §4.2).
 */
export function streamedRange(
  blobs: BlobRanges,
  blobHash: BlobHash,
  start: number,
  end: number,
  partial: PartialRequest,
  isBinary = false,
): LiteralContent {
  const { from, to } = clampPartial(Math.max(0, end - start), partial);
  if (to <= from) return EMPTY_CONTENT;
  const chunks = blobs.readRange(blobHash, start + from, start + to);
  if (isBinary) return { kind: "stream", size: to - from, chunks, isBinary: true };
  return { kind: "stream", size: to - from, chunks: withoutNuls(chunks) };
}

/** Pieces up to this size are read ahead into memory (overlapping their reads); larger ones stream. */
export const SMALL_RANGE_BYTES = 64 * 1024;

/** Bytes [start, end) cut to the partial: read now when small, else streamed when written. */
export async function rangeContent(
  blobs: BlobRanges,
  blobHash: BlobHash,
  start: number,
  end: number,
  partial: PartialRequest,
): Promise<LiteralContent> {
  const { from, to } = clampPartial(Math.max(0, end - start), partial);
  if (to - from > SMALL_RANGE_BYTES) return streamedRange(blobs, blobHash, start, end, partial);
  return memoryContent(await readRange(blobs, blobHash, start + from, start + to), null, false);
}

/** Bytes [start, end) of the message in memory, for pieces that are computed from them. */
export async function readRange(
  blobs: BlobRanges,
  blobHash: BlobHash,
  start: number,
  end: number,
): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  if (end > start) for await (const chunk of blobs.readRange(blobHash, start, end)) chunks.push(chunk);
  // A small range comes as one chunk: used as it is, not copied.
  const [only] = chunks;
  if (chunks.length === 1 && only !== undefined) {
    return Buffer.isBuffer(only) ? only : Buffer.from(only.buffer, only.byteOffset, only.byteLength);
  }
  return Buffer.concat(chunks);
}

/** In-memory bytes cut to the partial; `isBinary` allows NULs (BINARY) instead of replacing them. */
export function memoryContent(bytes: Uint8Array, partial: PartialRequest, isBinary: boolean): LiteralContent {
  const { from, to } = clampPartial(bytes.length, partial);
  const piece = bytes.subarray(from, to);
  if (!isBinary) return { kind: "bytes", bytes: replaceNuls(piece) };
  return piece.includes(0)
    ? { kind: "bytes", bytes: piece, isBinary: true }
    : { kind: "bytes", bytes: piece };
}

function replaceNuls(chunk: Uint8Array): Uint8Array {
  if (!chunk.includes(0)) return chunk;
  const copy = Uint8Array.from(chunk);
  for (let i = 0; i < copy.length; i++) if (copy[i] === 0) copy[i] = 0x80;
  return copy;
}

async function* withoutNuls(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) yield replaceNuls(chunk);
}

// Blobs are addressed by their SHA-256, so a full read can check its bytes against the name: a blob
// damaged on disk (or in the database) fails for the message that uses it, and only for that one.
// A read that can say which stored copy it read (a stamp: the file's inode and modification time, or the
// database row) is hashed the first time in a process and trusted while the copy stays the same
// (docs/reliability.md "Integrity"): hashing costs about 20 µs per 7 KB here, the largest single cost of
// a POP3 RETR or IMAP body FETCH of a message read before (docs/performance.md).
import { createHash } from "node:crypto";
import type { BlobHash } from "../../kit/ids.js";
import { MailError } from "../../kit/mail-error.js";

/** A plain blob's name: 64 hex digits; a prefixed blob's has one character more (file-blob-store.ts). */
const PLAIN_HASH_LENGTH = 64;
/** Names remembered as verified, with their byte length: about 2 MB of strings at most. */
const MAX_VERIFIED_BLOBS = 20_000;

/** The stored copy that hashed to a name. */
interface VerifiedCopy {
  readonly byteLength: number;
  readonly stamp: string;
}

/** Blob name → the copy that hashed to it; oldest first, dropped first. */
const verified = new Map<string, VerifiedCopy>();

/**
 * Returns `bytes` when they hash to `hash`; else throws MailError("corrupted"). A prefixed blob's name is
 * the hash of its manifest plus "p": pass the manifest bytes to check one. With a `stamp` naming the
 * stored copy read, a copy this process already verified, with the same stamp and length, is not hashed
 * again; a file rewritten, replaced, shortened or grown since is. Without one, every read is hashed.
 */
export function verifiedBlob(hash: BlobHash, bytes: Buffer, stamp?: string): Buffer {
  if (stamp !== undefined) {
    // Compared field by field: a re-read (every RETR of a message read before) builds no string.
    const known = verified.get(hash);
    if (known !== undefined && known.byteLength === bytes.byteLength && known.stamp === stamp) return bytes;
  }
  const digest = createHash("sha256").update(bytes).digest("hex");
  if (digest !== hash.slice(0, PLAIN_HASH_LENGTH)) throw corruptedBlob(hash, digest);
  if (stamp === undefined) return bytes;
  verified.delete(hash);
  if (verified.size >= MAX_VERIFIED_BLOBS) verified.delete(verified.keys().next().value as string);
  verified.set(hash, { byteLength: bytes.byteLength, stamp });
  return bytes;
}

/** Forgets every verified name, so the next read of each is hashed again (tests, `postfach doctor`). */
export function forgetVerifiedBlobs(): void {
  verified.clear();
}

export function corruptedBlob(hash: BlobHash, found: string): MailError {
  return new MailError("corrupted", `Message content ${hash.slice(0, 12)} is damaged`, {
    cause: new Error(`blob ${hash} hashes to ${found}`),
  });
}

/**
 * Passes a whole blob's chunks through while hashing them, holding the last one back until the hash is
 * known: on a mismatch it throws MailError("corrupted") instead of yielding it, so a reader never gets
 * the complete bytes of a damaged blob (a protocol that already sent the earlier chunks must then end
 * the response unfinished, see docs/reliability.md "Integrity"). Costs one chunk of memory.
 */
export async function* verifiedChunks(
  hash: BlobHash,
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  const hasher = createHash("sha256");
  let held: Uint8Array | null = null;
  for await (const chunk of chunks) {
    if (held !== null) yield held;
    hasher.update(chunk);
    held = chunk;
  }
  const digest = hasher.digest("hex");
  if (digest !== hash.slice(0, PLAIN_HASH_LENGTH)) throw corruptedBlob(hash, digest);
  if (held !== null) yield held;
}

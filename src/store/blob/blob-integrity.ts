// Blobs are addressed by their SHA-256, so a full read can check its bytes against the name: a blob
// damaged on disk (or in the database) fails for the message that uses it, and only for that one.
import { createHash } from "node:crypto";
import type { BlobHash } from "../../kit/ids.js";
import { MailError } from "../../kit/mail-error.js";

/** A plain blob's name: 64 hex digits; a prefixed blob's has one character more (file-blob-store.ts). */
const PLAIN_HASH_LENGTH = 64;

/**
 * Returns `bytes` when they hash to `hash`; else throws MailError("corrupted"). A prefixed blob's name is
 * the hash of its manifest plus "p": pass the manifest bytes to check one.
 */
export function verifiedBlob(hash: BlobHash, bytes: Buffer): Buffer {
  const digest = createHash("sha256").update(bytes).digest("hex");
  if (digest !== hash.slice(0, PLAIN_HASH_LENGTH)) throw corruptedBlob(hash, digest);
  return bytes;
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

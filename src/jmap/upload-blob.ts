// Blob ids a JMAP method may be given (RFC 8620 §6): an upload (`U…`, this account's, not yet expired) or
// a stored message (`B<emailId>`); both resolve to the blob store hash of the bytes.
import type { BlobHash } from "../kit/ids.js";
import { parseBlobId } from "./email-body.js";
import type { JmapContext } from "./jmap-context.js";

/** How long an upload stays usable: a day (RFC 8620 §6.1 asks for at least an hour). */
export const UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;

/** The hash of a whole-message blob id of this account, or undefined when there is none. */
export async function resolveBlobId(ctx: JmapContext, blobId: string): Promise<BlobHash | undefined> {
  if (blobId.startsWith("U")) {
    const upload = await ctx.services.store.uploads.get(ctx.account.id, blobId);
    if (upload === undefined || upload.createdAtMs < Date.now() - UPLOAD_TTL_MS) return undefined;
    return upload.blobHash;
  }
  const parsed = parseBlobId(blobId);
  if (parsed === null || parsed.section !== null) return undefined;
  return (await ctx.services.store.messages.getEmail(ctx.account.id, parsed.emailId))?.blobHash;
}

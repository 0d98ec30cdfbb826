// Blob ids a JMAP method may be given (RFC 8620 §6): an upload (`U…`, this account's, not yet expired) or
// a stored message (`B<emailId>`); both resolve to the blob store hash of the bytes. Parts of a new
// email may also name one part of a stored message (`B<emailId>_2_1`).
import { randomBytes } from "node:crypto";
import type { BlobHash, EmailId } from "../kit/ids.js";
import type { EmailRecord } from "../store/mail-store.js";
import { canReadEmail } from "./account-mail.js";
import { decodedPartBytes, findSection, locateParts, parseBlobId } from "./email-body.js";
import type { JmapContext } from "./jmap-context.js";

/** How long an upload stays usable: a day (RFC 8620 §6.1 asks for at least an hour). */
export const UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;

/** A new upload's blob id (an upload, or a Blob/copy into the account): unique and URL-safe. */
export function newUploadId(): string {
  return `U${randomBytes(15).toString("base64url")}`;
}

/** The hash of a whole-message blob id of this account, or undefined when there is none. */
export async function resolveBlobId(ctx: JmapContext, blobId: string): Promise<BlobHash | undefined> {
  if (blobId.startsWith("U")) {
    const upload = await ctx.services.store.uploads.get(ctx.account.id, blobId);
    if (upload === undefined || upload.createdAtMs < Date.now() - UPLOAD_TTL_MS) return undefined;
    return upload.blobHash;
  }
  const parsed = parseBlobId(blobId);
  if (parsed === null || parsed.section !== null) return undefined;
  return (await readableEmail(ctx, parsed.emailId))?.blobHash;
}

/** The email of this account a blob id names, if the user may read it (shared accounts: account-mail.ts). */
export async function readableEmail(ctx: JmapContext, emailId: EmailId): Promise<EmailRecord | undefined> {
  if (!(await canReadEmail(ctx, emailId))) return undefined;
  return ctx.services.store.messages.getEmail(ctx.account.id, emailId);
}

/** A blob's content and media type, for a part of a new email (Email/set create, RFC 8621 §4.6). */
export interface BlobContent {
  readonly bytes: Uint8Array;
  readonly type: string;
}

/**
 * The bytes a blob id of this account names: an upload as uploaded, a stored message as stored, or one
 * part of a stored message decoded (the bytes a download of it gives); undefined when there is none.
 */
export async function readBlobContent(ctx: JmapContext, blobId: string): Promise<BlobContent | undefined> {
  if (blobId.startsWith("U")) {
    const upload = await ctx.services.store.uploads.get(ctx.account.id, blobId);
    if (upload === undefined || upload.createdAtMs < Date.now() - UPLOAD_TTL_MS) return undefined;
    return { bytes: await ctx.services.store.blobs.read(upload.blobHash), type: upload.type };
  }
  const parsed = parseBlobId(blobId);
  if (parsed === null) return undefined;
  const email = await readableEmail(ctx, parsed.emailId);
  if (email === undefined) return undefined;
  const raw = await ctx.services.store.blobs.read(email.blobHash);
  if (parsed.section === null) return { bytes: raw, type: "message/rfc822" };
  const part = findSection(locateParts(email.index.root), parsed.section);
  if (part === null) return undefined;
  return { bytes: decodedPartBytes(raw, part.node), type: `${part.node.type}/${part.node.subtype}` };
}

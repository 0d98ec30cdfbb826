// The JMAP upload endpoint (RFC 8620 §6.1): POST /jmap/upload/{accountId}/ streams the body into the blob
// store (at most maxSizeUpload bytes, at most maxConcurrentUpload at once per account) and records it
// for the account; the answer names the blobId that Email/import and Email/parse then accept. Uploads
// expire after UPLOAD_TTL_MS; each upload sweeps the expired ones. An account shared with the user takes
// uploads when the user may add to one of its mailboxes (the i right), for Email/import there.
import type { IncomingMessage } from "node:http";
import type { JmapLimits } from "../jmap/capabilities.js";
import { jmapAccountId } from "../jmap/jmap-context.js";
import { canTakeUploads, listSharedAccounts } from "../jmap/shared-accounts.js";
import { newUploadId, UPLOAD_TTL_MS } from "../jmap/upload-blob.js";
import { isMailError } from "../kit/mail-error.js";
import type { AccountRecord, MailStore } from "../store/mail-store.js";
import type { RequestLimiter } from "./request-limiter.js";

export interface UploadDeps {
  readonly store: MailStore;
  readonly limits: JmapLimits;
  readonly uploadLimiter: RequestLimiter;
}

/** What the endpoint answers: a status and a JSON body (a problem document unless 201). */
export type UploadOutcome = { readonly status: number; readonly body: Record<string, unknown> };

const limitProblem = (status: number, detail: string, limit: string): UploadOutcome => ({
  status,
  body: { type: "urn:ietf:params:jmap:error:limit", status, detail, limit },
});

export async function receiveUpload(
  deps: UploadDeps,
  account: AccountRecord,
  accountId: string,
  req: IncomingMessage,
): Promise<UploadOutcome> {
  const target = await uploadAccount(deps.store, account, accountId);
  if (target === undefined) {
    return {
      status: 404,
      body: { type: "about:blank", title: "Not Found", status: 404, detail: "No such account" },
    };
  }
  const max = deps.limits.maxSizeUpload;
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > max) {
    return limitProblem(413, `Uploads are limited to ${max} bytes`, "maxSizeUpload");
  }
  if (!deps.uploadLimiter.tryAcquire(account.id)) {
    return limitProblem(
      429,
      `At most ${deps.limits.maxConcurrentUpload} uploads at once`,
      "maxConcurrentUpload",
    );
  }
  try {
    const { hash, size } = await deps.store.blobs.put(req as AsyncIterable<Uint8Array>, max);
    const now = Date.now();
    const record = {
      id: newUploadId(),
      accountId: target.id,
      blobHash: hash,
      size,
      type: contentTypeOf(req.headers["content-type"]),
      createdAtMs: now,
    };
    await deps.store.uploads.add(record);
    await deps.store.uploads.expire(now - UPLOAD_TTL_MS);
    return { status: 201, body: { accountId, blobId: record.id, type: record.type, size } };
  } catch (error) {
    if (isMailError(error) && error.code === "tooBig") {
      return limitProblem(413, `Uploads are limited to ${max} bytes`, "maxSizeUpload");
    }
    throw error;
  } finally {
    deps.uploadLimiter.release(account.id);
  }
}

/** The account an upload to `accountId` goes to: the user's own, or a shared one they may add mail to. */
async function uploadAccount(
  store: MailStore,
  user: AccountRecord,
  accountId: string,
): Promise<AccountRecord | undefined> {
  if (accountId === jmapAccountId(user)) return user;
  const shared = (await listSharedAccounts(store, user)).find((s) => jmapAccountId(s.owner) === accountId);
  return shared !== undefined && canTakeUploads(shared) ? shared.owner : undefined;
}

/** The media type the client declared (parameters kept), or application/octet-stream. */
function contentTypeOf(header: string | undefined): string {
  const value = header?.trim() ?? "";
  return value !== "" && value.length <= 256 && /^[\x20-\x7e]+$/.test(value)
    ? value
    : "application/octet-stream";
}

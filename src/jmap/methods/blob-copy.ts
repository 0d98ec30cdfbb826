// Blob/copy (RFC 8620 §6.3): blobs of one account the user can reach (an upload, a stored message or one
// of its parts, as readBlobContent resolves them — in a shared account only emails the user may read) made
// blobs of another, as uploads there (UPLOAD_TTL_MS, usable by Email/import). The target is the user's own
// account or a shared one that takes uploads (canTakeUploads); any other answers accountReadOnly.

import { requireAccount } from "../account-check.js";
import { type Args, checkKnownArgs, readIds, readRequiredString } from "../args.js";
import type { JmapContext } from "../jmap-context.js";
import { invalidArguments, MethodError, type SetError } from "../jmap-error.js";
import { canTakeUploads, contextForAccount } from "../shared-accounts.js";
import { newUploadId, readBlobContent } from "../upload-blob.js";

export async function blobCopy(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  checkKnownArgs(args, ["fromAccountId", "accountId", "blobIds"]);
  const accountId = requireAccount(ctx, args);
  const fromAccountId = readRequiredString(args, "fromAccountId");
  const blobIds = readIds(args, "blobIds");
  if (blobIds === null) throw invalidArguments('"blobIds" is required');
  if (blobIds.length > ctx.limits.maxObjectsInSet) {
    throw new MethodError("requestTooLarge", `At most ${ctx.limits.maxObjectsInSet} blobIds per Blob/copy`);
  }
  const fromCtx = await contextForAccount(ctx, fromAccountId);
  if (fromCtx === undefined) throw new MethodError("fromAccountNotFound", "No such account");
  if (ctx.shared !== undefined && !canTakeUploads(ctx.shared)) {
    throw new MethodError("accountReadOnly", "You may not add blobs to this account (no insert right)");
  }
  const { store } = ctx.services;
  const copied: Record<string, string> = {};
  const notCopied: Record<string, SetError> = {};
  for (const blobId of new Set(blobIds)) {
    const content = await readBlobContent(fromCtx, blobId);
    if (content === undefined) {
      notCopied[blobId] = { type: "notFound" };
      continue;
    }
    // Content addressing: bytes already stored (a message, an upload) are not written again.
    const { hash, size } = await store.blobs.put(content.bytes);
    const id = newUploadId();
    await store.uploads.add({
      id,
      accountId: ctx.account.id,
      blobHash: hash,
      size,
      type: content.type,
      createdAtMs: Date.now(),
    });
    copied[blobId] = id;
  }
  return {
    fromAccountId,
    accountId,
    copied: Object.keys(copied).length === 0 ? null : copied,
    notCopied: Object.keys(notCopied).length === 0 ? null : notCopied,
  };
}

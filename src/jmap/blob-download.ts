// Which stored email a download (RFC 8620 §6.2 /download/{accountId}/{blobId}) reads: one of the user's own
// account, or of an account shared with them when it has a copy in a mailbox they may read (l and r,
// shared-accounts.ts) — the same emails Email/get shows there. Anything else is not found.
import type { EmailId } from "../kit/ids.js";
import type { AccountRecord, EmailRecord } from "../store/mail-store.js";
import type { JmapLimits } from "./capabilities.js";
import type { JmapContext, JmapServices } from "./jmap-context.js";
import { contextForAccount } from "./shared-accounts.js";
import { readableEmail } from "./upload-blob.js";

export async function findDownloadEmail(
  services: JmapServices,
  limits: JmapLimits,
  user: AccountRecord,
  accountId: string,
  emailId: EmailId,
): Promise<EmailRecord | undefined> {
  const own: JmapContext = {
    services,
    account: user,
    limits,
    using: new Set(),
    remoteAddress: "",
    createdIds: new Map(),
    implicitResponses: [],
  };
  const ctx = await contextForAccount(own, accountId);
  return ctx === undefined ? undefined : readableEmail(ctx, emailId);
}

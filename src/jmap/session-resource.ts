// The JMAP Session resource (RFC 8620 §2): capabilities with their limits, the user's account and those of
// users who share mailboxes with them, and the URLs of the API, download, upload and event-source
// endpoints on the origin the client used.

import type { AccountRecord } from "../store/mail-store.js";
import {
  CORE_CAPABILITY,
  coreCapability,
  type JmapLimits,
  MAIL_ACCOUNT_CAPABILITY,
  MAIL_CAPABILITY,
  SUBMISSION_ACCOUNT_CAPABILITY,
  SUBMISSION_CAPABILITY,
  VACATION_CAPABILITY,
} from "./capabilities.js";
import { jmapAccountId } from "./jmap-context.js";
import { isReadOnlyAccount, type SharedAccount } from "./shared-accounts.js";

export const API_PATH = "/jmap/api";
export const DOWNLOAD_PATH = "/jmap/download";
export const UPLOAD_PATH = "/jmap/upload";
export const EVENT_SOURCE_PATH = "/jmap/eventsource";

/** Changes when what the session resource says changes (a new capability or limit in this build). */
export function sessionStateOf(
  account: AccountRecord,
  limits: JmapLimits,
  shared: readonly SharedAccount[] = [],
): string {
  const sharedText = shared.map((s) => `${s.owner.id}${isReadOnlyAccount(s) ? "r" : "w"}`).join(",");
  const text = `${account.id}:${account.address}:${JSON.stringify(coreCapability(limits))}:1:${sharedText}`;
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) >>> 0;
  return hash.toString(36);
}

export function sessionResource(
  account: AccountRecord,
  limits: JmapLimits,
  origin: string,
  shared: readonly SharedAccount[] = [],
): Record<string, unknown> {
  const accountId = jmapAccountId(account);
  // Other users' mailboxes shared with this user: one account per owner, mail only (RFC 8620 §1.6.2).
  const sharedAccounts = Object.fromEntries(
    shared.map((s) => [
      jmapAccountId(s.owner),
      {
        name: s.owner.address,
        isPersonal: false,
        isReadOnly: isReadOnlyAccount(s),
        accountCapabilities: {
          [CORE_CAPABILITY]: {},
          [MAIL_CAPABILITY]: { ...MAIL_ACCOUNT_CAPABILITY, mayCreateTopLevelMailbox: false },
        },
      },
    ]),
  );
  return {
    capabilities: {
      [CORE_CAPABILITY]: coreCapability(limits),
      [MAIL_CAPABILITY]: {},
      [SUBMISSION_CAPABILITY]: {},
      [VACATION_CAPABILITY]: {},
    },
    accounts: {
      [accountId]: {
        name: account.address,
        isPersonal: true,
        isReadOnly: false,
        accountCapabilities: {
          [CORE_CAPABILITY]: {},
          [MAIL_CAPABILITY]: MAIL_ACCOUNT_CAPABILITY,
          [SUBMISSION_CAPABILITY]: SUBMISSION_ACCOUNT_CAPABILITY,
          [VACATION_CAPABILITY]: {},
        },
      },
      ...sharedAccounts,
    },
    primaryAccounts: {
      [CORE_CAPABILITY]: accountId,
      [MAIL_CAPABILITY]: accountId,
      [SUBMISSION_CAPABILITY]: accountId,
      [VACATION_CAPABILITY]: accountId,
    },
    username: account.address,
    apiUrl: `${origin}${API_PATH}`,
    downloadUrl: `${origin}${DOWNLOAD_PATH}/{accountId}/{blobId}/{name}?accept={type}`,
    uploadUrl: `${origin}${UPLOAD_PATH}/{accountId}/`,
    eventSourceUrl: `${origin}${EVENT_SOURCE_PATH}?types={types}&closeafter={closeafter}&ping={ping}`,
    state: sessionStateOf(account, limits, shared),
  };
}

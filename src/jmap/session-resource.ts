// The JMAP Session resource (RFC 8620 §2): capabilities with their limits, the user's one account, and the
// URLs of the API, download, upload and event-source endpoints on the origin the client used.

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

export const API_PATH = "/jmap/api";
export const DOWNLOAD_PATH = "/jmap/download";
export const UPLOAD_PATH = "/jmap/upload";
export const EVENT_SOURCE_PATH = "/jmap/eventsource";

/** Changes when what the session resource says changes (a new capability or limit in this build). */
export function sessionStateOf(account: AccountRecord, limits: JmapLimits): string {
  const text = `${account.id}:${account.address}:${JSON.stringify(coreCapability(limits))}:1`;
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) >>> 0;
  return hash.toString(36);
}

export function sessionResource(
  account: AccountRecord,
  limits: JmapLimits,
  origin: string,
): Record<string, unknown> {
  const accountId = jmapAccountId(account);
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
    state: sessionStateOf(account, limits),
  };
}

// What a submission session (RFC 6409) needs beyond an inbound one: the SASL mechanisms and login
// limiter every protocol shares (auth/), the plaintext-password policy, the submission service of the
// mail layer and the account's own addresses for the sender checks.
import type { Authenticator } from "../../auth/authenticator.js";
import type { PlaintextAuthPolicy } from "../../auth/plaintext-policy.js";
import type { SubmissionService } from "../../mail/submission-service.js";
import type { UrlAuthService } from "../../mail/urlauth/urlauth-service.js";
import type { AccountRecord } from "../../store/mail-store.js";

export interface SubmissionDeps {
  readonly authenticator: Pick<Authenticator, "mechanisms" | "startSasl">;
  readonly plaintextAuth: PlaintextAuthPolicy;
  readonly submitter: Pick<SubmissionService, "checkRecipient" | "submit">;
  /** The account's addresses (primary and aliases) it may use in MAIL FROM and From:. */
  readonly ownAddresses: (account: AccountRecord) => Promise<string[]>;
  /** Keep a copy of each submitted message in the sender's Sent folder. */
  readonly saveToSent: boolean;
  /** RFC 4468 BURL: fetches URLAUTH URLs (submit+user) from the store; without it BURL is not offered. */
  readonly urlAuth?: Pick<UrlAuthService, "fetch">;
}

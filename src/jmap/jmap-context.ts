// What a JMAP method call runs with: the authenticated account, the mail-layer services and store
// interface it may use, the advertised limits, and the capabilities the request declared in `using`.
import type { DeliveryService } from "../mail/delivery-service.js";
import type { MailboxService } from "../mail/mailbox-service.js";
import type { MessageService } from "../mail/message-service.js";
import type { SubmissionService } from "../mail/submission-service.js";
import type { SnapshotCache } from "../mail/view/snapshot-cache.js";
import type { AccountRecord, MailStore } from "../store/mail-store.js";
import type { JmapLimits } from "./capabilities.js";
import type { SharedAccount } from "./shared-accounts.js";

export interface JmapServices {
  readonly store: MailStore;
  readonly messages: MessageService;
  /** Mailbox create, rename and delete with the name rules every protocol shares. */
  readonly mailboxes: MailboxService;
  /** Mailbox entries kept current from the change log: Email and Thread objects are built from them. */
  readonly snapshots: SnapshotCache;
  /** Final delivery to local accounts (the LMTP path): EmailSubmission hands messages to it. */
  readonly delivery: DeliveryService;
  /** EmailSubmission: local recipients delivered, remote ones queued for the outbound sender. */
  readonly submission: Pick<SubmissionService, "checkRecipient" | "submit">;
}

export interface JmapContext {
  readonly services: JmapServices;
  readonly account: AccountRecord;
  readonly limits: JmapLimits;
  /** The request's `using` capabilities. */
  readonly using: ReadonlySet<string>;
  /** The client's IP address. */
  readonly remoteAddress: string;
  /**
   * Creation ids of this request → the ids they got (RFC 8620 §3.3 createdIds): a /set records what it
   * creates, and later calls may name an object by "#creationId".
   */
  readonly createdIds: Map<string, string>;
  /**
   * Responses a method adds after its own, with the same call id (RFC 8621 §7.5: the implicit Email/set
   * of EmailSubmission/set's onSuccessUpdateEmail). Emptied after each call.
   */
  readonly implicitResponses: [string, Record<string, unknown>][];
  /**
   * Set when `account` is another user's, shared with the logged-in user (shared-accounts.ts): the
   * user's rights on each of its mailboxes they may see. Undefined for the user's own account.
   */
  readonly shared?: SharedAccount;
}

/** The id a "#creationId" reference names (RFC 8620 §5.3), the id itself otherwise; null if unknown. */
export function resolveCreationId(ctx: JmapContext, id: string): string | null {
  if (!id.startsWith("#")) return id;
  return ctx.createdIds.get(id.slice(1)) ?? null;
}

/** The JMAP account id of an account: its numeric id in base 36 behind "A" (RFC 8620 §1.2 Id syntax). */
export function jmapAccountId(account: AccountRecord): string {
  return `A${account.id.toString(36)}`;
}

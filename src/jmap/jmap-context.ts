// What a JMAP method call runs with: the authenticated account, the mail-layer services and store
// interface it may use, the advertised limits, and the capabilities the request declared in `using`.
import type { MailboxService } from "../mail/mailbox-service.js";
import type { MessageService } from "../mail/message-service.js";
import type { SnapshotCache } from "../mail/view/snapshot-cache.js";
import type { AccountRecord, MailStore } from "../store/mail-store.js";
import type { JmapLimits } from "./capabilities.js";

export interface JmapServices {
  readonly store: MailStore;
  readonly messages: MessageService;
  /** Mailbox create, rename and delete with the name rules every protocol shares. */
  readonly mailboxes: MailboxService;
  /** Mailbox entries kept current from the change log: Email and Thread objects are built from them. */
  readonly snapshots: SnapshotCache;
}

export interface JmapContext {
  readonly services: JmapServices;
  readonly account: AccountRecord;
  readonly limits: JmapLimits;
  /** The request's `using` capabilities. */
  readonly using: ReadonlySet<string>;
}

/** The JMAP account id of an account: its numeric id in base 36 behind "A" (RFC 8620 §1.2 Id syntax). */
export function jmapAccountId(account: AccountRecord): string {
  return `A${account.id.toString(36)}`;
}

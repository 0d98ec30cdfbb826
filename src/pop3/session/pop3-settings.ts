// What a POP3 session needs from outside: the services it calls, the maildrop lock, its settings, and
// the optional APOP verifier (RFC 1939 §7 APOP needs the plaintext password, which the store never keeps).

import type { Authenticator } from "../../auth/authenticator.js";
import type { PlaintextAuthPolicy } from "../../auth/plaintext-policy.js";
import type { SessionRegistry } from "../../auth/session-registry.js";
import type { MailboxService } from "../../mail/mailbox-service.js";
import type { MessageService } from "../../mail/message-service.js";
import type { SnapshotCache } from "../../mail/view/snapshot-cache.js";
import type { AccountRecord, MaildropLocks, MailStore } from "../../store/mail-store.js";
import type { LoginDelay } from "./login-delay.js";

/** The slice of the composition root's Services POP3 uses (structurally `Pick<Services, …>`). */
export interface Pop3Services {
  readonly store: MailStore;
  readonly mailboxes: MailboxService;
  readonly messages: MessageService;
  readonly authenticator: Authenticator;
  /** Authenticated sessions per account, shared with IMAP (a login takes a slot until the close). */
  readonly sessions: SessionRegistry;
  /** The process's cache of mailbox snapshots (shared with IMAP): the maildrop opens through it. */
  readonly snapshots: SnapshotCache;
}

export interface Pop3Settings {
  /** RFC 2449 EXPIRE: days the server keeps retrieved mail, null for NEVER (what is advertised). */
  readonly expireDays: number | null;
  /** RETR sets \Seen for IMAP clients (Dovecot's default behaviour). */
  readonly retrMarksSeen: boolean;
  /** Beyond this many octets without a line end the client is disconnected. */
  readonly maxLineBytes: number;
  /** Wait before answering a failed login: this times the number of failures so far on the connection. */
  readonly authFailureDelayMs: number;
  /** Failed logins after which the connection is closed. */
  readonly maxAuthFailures: number;
  /** Unknown, malformed or misplaced commands after which the connection is closed. */
  readonly maxBadCommands: number;
  /** When USER/PASS and AUTH PLAIN/LOGIN are allowed (RFC 2595 §2.3). */
  readonly plaintextAuth: PlaintextAuthPolicy;
}

export const DEFAULT_POP3_SETTINGS: Pop3Settings = {
  expireDays: null,
  retrMarksSeen: true,
  maxLineBytes: 65_536,
  authFailureDelayMs: 1000,
  maxAuthFailures: 3,
  maxBadCommands: 10,
  plaintextAuth: "tls_or_loopback",
};

/**
 * Verifies an APOP digest, MD5(timestamp + password) (RFC 1939 §7). Only a backend that can recover
 * the plaintext password could implement it; without one APOP is refused and not offered.
 */
export interface ApopVerifier {
  /** The account, or throws MailError("authFailed"). */
  verify(username: string, timestamp: string, digest: string): Promise<AccountRecord>;
}

export interface Pop3Deps {
  readonly services: Pop3Services;
  readonly settings: Pop3Settings;
  readonly lock: MaildropLocks;
  readonly loginDelay: LoginDelay;
  readonly apop: ApopVerifier | null;
  /** Offer STLS (plain listeners with TLS configured); implicit-TLS listeners set false. */
  readonly offerStartTls: boolean;
}

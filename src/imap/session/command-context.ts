// What a command handler receives and returns. Handlers live one per file in imap/commands/ and are
// listed in command-table.ts; they never touch the socket, only `ctx.send` and the session's state.
import type { Authenticator, SaslTransport } from "../../auth/authenticator.js";
import type { PlaintextAuthPolicy } from "../../auth/plaintext-policy.js";
import type { SessionLease, SessionRegistry } from "../../auth/session-registry.js";
import type { BlobHash } from "../../kit/ids.js";
import type { Logger } from "../../kit/logger.js";
import type { MailboxAccess } from "../../mail/access/mailbox-access.js";
import type { MailboxService } from "../../mail/mailbox-service.js";
import type { MessageService } from "../../mail/message-service.js";
import type { MetadataService } from "../../mail/metadata/metadata-service.js";
import type { UrlAuthService } from "../../mail/urlauth/urlauth-service.js";
import type { SnapshotCache } from "../../mail/view/snapshot-cache.js";
import type { AccountRecord, MailStore } from "../../store/mail-store.js";
import type { BodyReadAhead } from "../fetch/body-read-ahead.js";
import type { NotifyWatch } from "../notify/notify-watch.js";
import type { CommandOf, ImapCommand, ImapCommandName } from "../wire/command.js";
import type { ImapResponse, ImapStatus, ResponseCode } from "../wire/response.js";
import type { Enableable } from "./capabilities.js";
import type { ClientIdentity, ClientQuirks } from "./client-quirks.js";
import type { SessionState, SessionStateKind } from "./session-state.js";

/** The services IMAP uses, all from the mail layer down. */
export interface ImapServices {
  readonly store: MailStore;
  readonly mailboxes: MailboxService;
  /** Rights of users on mailboxes, their own and shared ones (RFC 4314): every mailbox command asks here. */
  readonly access: MailboxAccess;
  readonly messages: MessageService;
  /** RFC 4467 URLAUTH: GENURLAUTH, URLFETCH, RESETKEY. */
  readonly urlAuth: UrlAuthService;
  /** Mailbox and server annotations (RFC 5464 METADATA, RFC 9590 LIST-METADATA). */
  readonly metadata: MetadataService;
  /** Where SELECT opens its snapshot. */
  readonly snapshots: SnapshotCache;
  readonly authenticator: Authenticator;
  /** Authenticated sessions per account, shared with POP3 (a login takes a slot until the close). */
  readonly sessions: SessionRegistry;
  readonly maxMessageBytes: number;
  /** When LOGIN and AUTHENTICATE PLAIN/LOGIN are allowed (LOGINDISABLED otherwise). */
  readonly plaintextAuth: PlaintextAuthPolicy;
  /** Lower-cased addresses of the accounts that may run SETQUOTA (RFC 9208 §4.1.3), from [imap] quota_admins. */
  readonly quotaAdmins: ReadonlySet<string>;
  /** RFC 9738 MESSAGELIMIT/SAVELIMIT ([imap] message_limit); 0 = no limit, not advertised. */
  readonly messageLimit: number;
  /** RFC 9738 SAVELIMIT: the most UIDs SEARCH RETURN (SAVE) keeps; 0 = no limit, not advertised. */
  readonly saveLimit: number;
  /** RFC 9585: least milliseconds between INPROGRESS responses of one command ([imap] progress_interval_ms). */
  readonly progressIntervalMs: number;
  /** zlib level of COMPRESS=DEFLATE replies ([imap] compress_level). */
  readonly compressLevel: number;
}

/** The part of the session a handler may see and change. */
export interface SessionControl {
  readonly state: SessionState;
  setState(state: SessionState): void;
  /** Enters the authenticated state holding the account's session slot (LOGIN, AUTHENTICATE). */
  signIn(account: AccountRecord, lease: SessionLease): void;
  /**
   * Back to the not-authenticated state (RFC 8437 UNAUTHENTICATE): the mailbox is closed without
   * expunging, the session slot released, ENABLEd extensions forgotten; TLS and compression stay.
   */
  signOut(): void;
  readonly enabled: ReadonlySet<Enableable>;
  enable(capability: Enableable): void;
  readonly isTls: boolean;
  readonly isPlaintextAuthAllowed: boolean;
  /** Aborts when the connection closes (what a session-registry slot is tied to). */
  readonly closed: AbortSignal;
  /** Ends the session for an administrator (`postfach kick`): `* BYE`, then the connection closes. */
  kick(): Promise<void>;
  /** What AUTHENTICATE needs of the transport: client address and TLS channel bindings (SCRAM-PLUS). */
  saslTransport(): SaslTransport;
  capabilities(): string[];
  /** DEFLATE is on (RFC 4978). */
  readonly isCompressed: boolean;
  /** What the server does differently for the client that identified itself with ID (client-quirks.ts). */
  readonly quirks: ClientQuirks;
  /** Records the client's ID (RFC 2971) for the rest of the connection. */
  identifyClient(client: ClientIdentity): void;
  /** Compresses the connection from now on; called right after COMPRESS's tagged OK went out. */
  /** RFC 4978: everything after the OK is compressed, replies at zlib level `level`. */
  startCompression(level: number): void;
  /** Upgrades the connection to TLS right after the tagged OK (RFC 9051 §6.2.1). */
  startTls(): Promise<void>;
  /** Asks the client for a continuation line (AUTHENTICATE); resolves with it, or null if the client cancelled with `*`. */
  readContinuation(prompt: string): Promise<string | null>;
  /** RFC 5465: the NOTIFY SET in force, or null (never sent, NOTIFY NONE, or overflowed). */
  readonly notify: NotifyWatch | null;
  /** Replaces what NOTIFY watches (null: NOTIFY NONE); changes are heard from now on. */
  setNotify(watch: NotifyWatch | null): void;
  /** Enters IDLE: resolves when the client sends DONE (or the connection ends). */
  idle(onEnter: () => Promise<void>): Promise<void>;
  /**
   * The message literals of the APPEND being executed, in order, stored as blobs while they arrived.
   * Rejects (e.g. tooBig) if storing any of them failed.
   */
  takeAppendedBlobs(): Promise<readonly AppendedBlob[]>;
  /**
   * Up to `max` commands the client already sent after the one running, complete and parsed
   * (ImapReader.peekCommands), for reading ahead what they will need; they run later as usual.
   */
  pipelinedCommands(max: number): readonly ImapCommand[];
  /** Bodies read ahead for pipelined FETCHes, dropped once the input chunk's commands have run. */
  readonly bodyReadAhead: BodyReadAhead;
}

/**
 * One APPEND message literal: streamed to the blob store while it arrived, or, when small, held in memory
 * (`bytes`, not stored yet) for the append to store with its entry (MessageService.holdBlob).
 */
export interface AppendedBlob {
  readonly hash: BlobHash;
  readonly size: number;
  readonly bytes?: Uint8Array;
}

export interface CommandContext {
  readonly services: ImapServices;
  readonly session: SessionControl;
  readonly log: Logger;
  /** Writes an untagged or continuation response, honouring backpressure. */
  send(response: ImapResponse): Promise<void>;
  /** Writes untagged data responses in order, as one piece of work. */
  sendAll(responses: readonly ImapResponse[]): Promise<void>;
  /** Writes untagged responses already encoded (whole lines, each ending in CRLF), in order. */
  sendEncoded(bytes: Uint8Array): Promise<void>;
}

export interface CommandOutcome {
  readonly status: ImapStatus;
  readonly code?: ResponseCode | null;
  readonly text: string;
  /** Runs right after the tagged reply is written (STARTTLS starts the handshake there). */
  readonly afterReply?: () => Promise<void>;
  /**
   * The command sent message content (a body FETCH of messages the session sees): it takes no token of
   * the command budget (Connection.refundCommand), as a POP3 RETR takes none. A client downloading
   * message by message (mbsync sends a UID FETCH per message) is paced by reading the bodies instead.
   */
  readonly sentMessageContent?: boolean;
}

export const ok = (text: string, code: ResponseCode | null = null): CommandOutcome => ({
  status: "OK",
  code,
  text,
});
export const no = (text: string, code: ResponseCode | null = null): CommandOutcome => ({
  status: "NO",
  code,
  text,
});
export const bad = (text: string, code: ResponseCode | null = null): CommandOutcome => ({
  status: "BAD",
  code,
  text,
});

/**
 * A command described as data (the WildDuck/Dovecot way): where it may run, whether it may announce
 * expunges when it completes (RFC 9051 §7.5.1: not after FETCH, STORE or SEARCH by sequence number),
 * and its handler.
 */
export interface CommandSpec<N extends ImapCommandName> {
  readonly states: readonly SessionStateKind[];
  readonly canAnnounceExpunge: (command: CommandOf<N>) => boolean;
  readonly run: (ctx: CommandContext, command: CommandOf<N>) => Promise<CommandOutcome>;
}

export type CommandTable = { readonly [N in ImapCommandName]: CommandSpec<N> };

export const ANY_STATE: readonly SessionStateKind[] = ["notAuthenticated", "authenticated", "selected"];
export const AUTHENTICATED: readonly SessionStateKind[] = ["authenticated", "selected"];
export const SELECTED: readonly SessionStateKind[] = ["selected"];
export const NOT_AUTHENTICATED: readonly SessionStateKind[] = ["notAuthenticated"];
export const always = (): boolean => true;

/** The selected mailbox, for handlers that only run in the selected state. */
export function selectedOf(ctx: CommandContext) {
  const state = ctx.session.state;
  if (state.kind !== "selected")
    throw new Error("command table let a command run outside the selected state");
  return state.selected;
}

/** The logged-in account, for handlers that only run after authentication. */
export function accountOf(ctx: CommandContext) {
  const state = ctx.session.state;
  if (state.kind !== "authenticated" && state.kind !== "selected") {
    throw new Error("command table let a command run before authentication");
  }
  return state.account;
}

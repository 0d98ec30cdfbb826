// The shared server side of SASL (RFC 4422 §3): what a mechanism's exchange is, and the server context it
// runs against. Protocols only frame bytes (IMAP/POP3 `+ base64`, SMTP `334 base64`) and call step().
import type { AccountRecord } from "../../store/mail-store.js";
import type { Credentials } from "../authenticator.js";
import type { ScramKeys } from "../scram-keys.js";
import type { ChannelBindings } from "./channel-binding.js";

export type SaslStep =
  /** Send `data` to the client as a challenge and feed its answer to the next step(). */
  | { readonly kind: "challenge"; readonly data: Buffer }
  /** Authenticated; the protocol enters its authenticated state. */
  | { readonly kind: "success"; readonly account: AccountRecord }
  /** The client broke the mechanism's syntax; no credentials were tried (protocol BAD / -ERR). */
  | { readonly kind: "malformed"; readonly reason: string };

/**
 * One authentication exchange. step() is fed the client's responses in order (null first when there is
 * no initial response); it rejects with MailError("authFailed") for wrong credentials of every kind,
 * with one text, so the protocols answer alike whatever failed.
 */
export interface SaslExchange {
  step(response: Buffer | null): Promise<SaslStep>;
}

/** A started SCRAM attempt: the keys to challenge with (decoys for unknown users), then the verdict. */
export interface ScramAttempt {
  readonly keys: ScramKeys;
  /** Records the outcome (limits, audit); resolves to the account or rejects with authFailed. */
  finish(isProofValid: boolean): Promise<AccountRecord>;
}

/** What mechanisms need from the server; the Authenticator implements it for one connection. */
export interface SaslServer {
  /** Password check for PLAIN/LOGIN: resolves to the account or rejects with authFailed. */
  verifyPassword(credentials: Credentials): Promise<AccountRecord>;
  beginScram(username: string): Promise<ScramAttempt>;
  /** OAUTHBEARER: validates the token and that it names `authzid` (if not empty). */
  verifyBearer(token: string, authzid: string): Promise<AccountRecord>;
}

export interface SaslContext {
  readonly server: SaslServer;
  /** TLS channel-binding data of this connection; empty on plaintext connections. */
  readonly channelBindings: ChannelBindings;
  /** Server nonce source; tests inject a fixed one to replay the RFC 7677 vector. */
  readonly serverNonce?: () => string;
}

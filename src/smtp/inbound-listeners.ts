// Listener specs shared by the LMTP, SMTP and submission servers: one spec per configured address (plain,
// or implicit TLS for submission's tls_listen), the 421 refusal for connections over a limit, and the
// RFC 5321 §4.5.3.2.7 five-minute server timeout.
import type { Logger } from "../kit/logger.js";
import type { ListenerSpec } from "../net/listener-group.js";
import {
  type Deliverer,
  runSmtpSession,
  type SessionMode,
  type SessionOptions,
} from "./session/smtp-session.js";
import type { SubmissionDeps } from "./session/submission-deps.js";
import { formatReply, reply } from "./wire/smtp-reply.js";

export interface InboundDeps {
  readonly delivery: Deliverer;
  /** SPF/DKIM/DMARC checks of the SMTP mode (Authentication-Results); none leaves mail unchecked. */
  readonly authenticator?: SessionOptions["authenticator"];
  /** Required for the submission mode. */
  readonly submission?: SubmissionDeps;
}

/** What main.ts takes from Config for one inbound server (smtp/ does not read config itself). */
export interface InboundServerOptions {
  /** "host:port" addresses ([lmtp] listen or [smtp] listen). */
  readonly listen: readonly string[];
  readonly hostname: string;
  readonly maxMessageBytes: number;
  readonly maxRecipients: number;
  readonly maxLineBytes: number;
  readonly idleTimeoutMs: number;
  /** Over quota answered 552 5.2.2 instead of 452 4.2.2. */
  readonly quotaPermanent: boolean;
  /** Offer STARTTLS; the ListenerGroup must then have a TLS context. Default true. */
  readonly canStartTls?: boolean;
  /** Implicit-TLS addresses (submission's 465, RFC 8314 §3.3). */
  readonly tlsListen?: readonly string[];
}

const SERVER_TIMEOUT_MS = 5 * 60 * 1000;

export function inboundListenerSpecs(
  mode: SessionMode,
  deps: InboundDeps,
  server: InboundServerOptions,
  log: Logger,
): ListenerSpec[] {
  const options = {
    mode,
    hostname: server.hostname,
    maxMessageBytes: server.maxMessageBytes,
    maxRecipients: server.maxRecipients,
    maxLineBytes: server.maxLineBytes,
    quotaPermanent: server.quotaPermanent,
    canStartTls: server.canStartTls ?? true,
    ...(mode === "smtp" && deps.authenticator !== undefined && { authenticator: deps.authenticator }),
  };
  log.debug({ proto: mode, addresses: server.listen }, "inbound listeners configured");
  const refusal = formatReply(reply(421, "4.7.0", `${server.hostname} Too many connections, try later`));
  const spec = (address: string, implicitTls: boolean): ListenerSpec => ({
    proto: mode,
    address,
    implicitTls,
    idleTimeoutMs: Math.min(server.idleTimeoutMs, SERVER_TIMEOUT_MS),
    handler: (conn) => runSmtpSession(conn, deps.delivery, options, deps.submission ?? null),
    reject: (conn) => conn.write(refusal),
  });
  return [
    ...server.listen.map((address) => spec(address, false)),
    ...(server.tlsListen ?? []).map((address) => spec(address, true)),
  ];
}

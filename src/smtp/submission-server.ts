// The message submission server (RFC 6409) for users' mail clients: AUTH required before MAIL, the sender
// checked against the account's addresses, local recipients delivered and remote ones queued. Listens on
// [submission] listen with STARTTLS (default 127.0.0.1:1587, 587 in production) and tls_listen with
// implicit TLS (RFC 8314; default 127.0.0.1:1465, 465 in production).
import type { Logger } from "../kit/logger.js";
import type { ListenerSpec } from "../net/listener-group.js";
import { type InboundDeps, type InboundServerOptions, inboundListenerSpecs } from "./inbound-listeners.js";
import type { SubmissionDeps } from "./session/submission-deps.js";

export type { SubmissionDeps } from "./session/submission-deps.js";

/** Listener specs for the ListenerGroup, one per address in `options.listen` and `options.tlsListen`. */
export function createSubmissionListeners(
  deps: InboundDeps & { readonly submission: SubmissionDeps },
  options: InboundServerOptions,
  log: Logger,
): ListenerSpec[] {
  return inboundListenerSpecs("submission", deps, options, log);
}

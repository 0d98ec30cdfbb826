// The SMTP server (RFC 5321) for running as the MX of the local domains: accepts mail for local recipients
// only, never relays (550 5.7.1). Listens on [smtp] listen (default 127.0.0.1:2525, port 25 in production).
import type { Logger } from "../kit/logger.js";
import type { ListenerSpec } from "../net/listener-group.js";
import { type InboundDeps, type InboundServerOptions, inboundListenerSpecs } from "./inbound-listeners.js";

export type { InboundDeps, InboundServerOptions } from "./inbound-listeners.js";

/** Listener specs for the ListenerGroup, one per address in `options.listen`; STARTTLS per RFC 3207. */
export function createSmtpListeners(
  deps: InboundDeps,
  options: InboundServerOptions,
  log: Logger,
): ListenerSpec[] {
  return inboundListenerSpecs("smtp", deps, options, log);
}

// The LMTP server (RFC 2033): how an MTA such as Postfix hands mail to Postfach, one reply per recipient
// after DATA. Listens on [lmtp] listen (default 127.0.0.1:2424); LMTP has no authentication.
import type { Logger } from "../kit/logger.js";
import type { ListenerSpec } from "../net/listener-group.js";
import { type InboundDeps, type InboundServerOptions, inboundListenerSpecs } from "./inbound-listeners.js";

export type { InboundDeps, InboundServerOptions } from "./inbound-listeners.js";

/** Listener specs for the ListenerGroup, one per address in `options.listen`. */
export function createLmtpListeners(
  deps: InboundDeps,
  options: InboundServerOptions,
  log: Logger,
): ListenerSpec[] {
  return inboundListenerSpecs("lmtp", deps, options, log);
}

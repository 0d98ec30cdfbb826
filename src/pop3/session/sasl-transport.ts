// What POP3's AUTH and USER/PASS tell auth/ about the connection (RFC 5034 §4): the client address for the
// brute-force limits and audit log, and the TLS channel bindings SCRAM-SHA-256-PLUS needs.
import { type SaslTransport, saslTransportOf } from "../../auth/authenticator.js";
import type { SessionContext } from "./session-context.js";

export function saslTransport(ctx: SessionContext): SaslTransport {
  return saslTransportOf("pop3", ctx.deps.settings.plaintextAuth, ctx.conn);
}

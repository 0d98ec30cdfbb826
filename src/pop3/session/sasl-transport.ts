// What POP3's AUTH and USER/PASS tell auth/ about the connection (RFC 5034 §4): the client address for the
// brute-force limits and audit log, and the TLS channel bindings SCRAM-SHA-256-PLUS needs.
import type { SaslTransport } from "../../auth/authenticator.js";
import { isPlaintextAuthAllowed } from "../../auth/plaintext-policy.js";
import { channelBindingsOf } from "../../auth/sasl/channel-binding.js";
import type { SessionContext } from "./session-context.js";

export function saslTransport(ctx: SessionContext): SaslTransport {
  return {
    remoteAddress: ctx.conn.remoteAddress,
    protocol: "pop3",
    isPlaintextAllowed: isPlaintextAuthAllowed(
      ctx.deps.settings.plaintextAuth,
      ctx.conn.isTls,
      ctx.conn.remoteAddress,
    ),
    channelBindings: channelBindingsOf(ctx.conn.socket),
  };
}

// What POP3's AUTH and USER/PASS tell auth/ about the connection (RFC 5034 §4): the client address for the
// brute-force limits and audit log, and the TLS channel bindings SCRAM-SHA-256-PLUS needs.
import type { SaslTransport } from "../../auth/authenticator.js";
import { channelBindingsOf } from "../../auth/sasl/channel-binding.js";
import type { SessionContext } from "./session-context.js";

export function saslTransport(ctx: SessionContext): SaslTransport {
  return {
    remoteAddress: ctx.conn.remoteAddress,
    protocol: "pop3",
    // POP3's plaintext policy (USER/PASS, AUTH PLAIN before STLS) is the transport work's to set; until
    // then plaintext mechanisms stay offered on every connection, as before.
    isPlaintextAllowed: true,
    channelBindings: channelBindingsOf(ctx.conn.socket),
  };
}

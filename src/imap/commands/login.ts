// LOGIN (RFC 9051 §6.2.3): plaintext credentials, refused unless the connection is protected
// (TLS or loopback) — LOGINDISABLED is advertised then.
import { type CommandContext, type CommandOutcome, no } from "../session/command-context.js";
import { startAuthenticated } from "../session/start-authenticated.js";
import type { CommandOf } from "../wire/command.js";

export async function login(ctx: CommandContext, command: CommandOf<"login">): Promise<CommandOutcome> {
  if (!ctx.session.isPlaintextAuthAllowed) {
    return no("Plaintext authentication disallowed on non-secure connections", { kind: "PRIVACYREQUIRED" });
  }
  const { remoteAddress } = ctx.session.saslTransport();
  const account = await ctx.services.authenticator.authenticate(
    { username: command.username, password: command.password },
    { remoteAddress, protocol: "imap", mechanism: "LOGIN" },
  );
  return startAuthenticated(ctx, account, "LOGIN");
}

// STARTTLS (RFC 9051 §6.2.1): the TLS handshake starts right after the tagged OK; anything the client
// pipelined after the command in plaintext is discarded (the STARTTLS injection attack).
import { bad, type CommandContext, type CommandOutcome } from "../session/command-context.js";

export async function starttls(ctx: CommandContext): Promise<CommandOutcome> {
  if (ctx.session.isTls) return bad("TLS is already active");
  return { status: "OK", text: "Begin TLS negotiation now", afterReply: () => ctx.session.startTls() };
}

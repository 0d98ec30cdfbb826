// UNAUTHENTICATE (RFC 8437): back to the not-authenticated state on the same connection, so a client
// can log in as another user without a new TLS handshake. A selected mailbox is left as UNSELECT
// leaves it (no expunge).
import { type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";

export async function unauthenticate(ctx: CommandContext): Promise<CommandOutcome> {
  ctx.log.info({}, "imap unauthenticate");
  ctx.session.signOut();
  return ok("UNAUTHENTICATE completed");
}

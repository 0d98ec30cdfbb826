// RESETKEY (RFC 4467 §6.3): forgets the access key of one mailbox, or of all the user's mailboxes, so
// every URLAUTH URL made with it stops working; the next GENURLAUTH makes a new key.
import { URLAUTH_MECHANISM } from "../../mail/urlauth/urlauth-service.js";
import { accountOf, bad, type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";
import type { CommandOf } from "../wire/command.js";

export async function resetKey(ctx: CommandContext, command: CommandOf<"resetkey">): Promise<CommandOutcome> {
  const unknown = command.mechanisms.find((mechanism) => mechanism !== URLAUTH_MECHANISM);
  if (unknown !== undefined) return bad(`Unknown URLAUTH mechanism ${unknown}`);
  await ctx.services.urlAuth.resetKeys(accountOf(ctx), command.mailbox ?? undefined);
  return ok("RESETKEY completed");
}

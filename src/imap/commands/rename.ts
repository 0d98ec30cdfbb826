// RENAME (RFC 9051 §6.3.6): children move along; renaming INBOX moves its messages instead.
import { accountOf, type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";
import type { CommandOf } from "../wire/command.js";

export async function rename(ctx: CommandContext, command: CommandOf<"rename">): Promise<CommandOutcome> {
  await ctx.services.mailboxes.rename(accountOf(ctx).id, command.from, command.to);
  return ok("RENAME completed");
}

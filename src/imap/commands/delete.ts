// DELETE (RFC 9051 §6.3.5): INBOX cannot be deleted; a mailbox with children neither (Dovecot's rule).
import { accountOf, type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";
import type { CommandOf } from "../wire/command.js";

export async function deleteMailbox(
  ctx: CommandContext,
  command: CommandOf<"delete">,
): Promise<CommandOutcome> {
  await ctx.services.mailboxes.delete(accountOf(ctx).id, command.mailbox);
  return ok("DELETE completed");
}

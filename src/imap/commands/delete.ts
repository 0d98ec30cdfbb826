// DELETE (RFC 9051 §6.3.5): INBOX cannot be deleted; a mailbox with children neither (Dovecot's rule).
// Needs the x right (RFC 4314 §4); the mailbox's ACL goes with it.
import { type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";
import { openMailbox } from "../session/mailbox-access.js";
import type { CommandOf } from "../wire/command.js";

export async function deleteMailbox(
  ctx: CommandContext,
  command: CommandOf<"delete">,
): Promise<CommandOutcome> {
  const target = await openMailbox(ctx, command.mailbox, "x");
  await ctx.services.mailboxes.delete(target.owner.id, target.mailbox.name);
  return ok("DELETE completed");
}

// RENAME (RFC 9051 §6.3.6): children move along; renaming INBOX moves its messages instead. Needs the x
// right on the mailbox and k on the new parent (RFC 4314 §4); ACLs stay with the renamed mailboxes. A
// mailbox cannot move to another account.
import { type CommandContext, type CommandOutcome, no, ok } from "../session/command-context.js";
import { accessUserOf, openMailbox, resolveMailboxRef } from "../session/mailbox-access.js";
import type { CommandOf } from "../wire/command.js";

export async function rename(ctx: CommandContext, command: CommandOf<"rename">): Promise<CommandOutcome> {
  const source = await openMailbox(ctx, command.from, "x");
  const { owner, folder } = await resolveMailboxRef(ctx, command.to);
  if (owner.id !== source.owner.id) return no("A mailbox cannot move to another account", { kind: "CANNOT" });
  await ctx.services.access.checkCreate(accessUserOf(ctx), owner, folder);
  await ctx.services.mailboxes.rename(owner.id, source.mailbox.name, folder);
  return ok("RENAME completed");
}

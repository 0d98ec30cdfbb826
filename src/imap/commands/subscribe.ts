// SUBSCRIBE and UNSUBSCRIBE (RFC 9051 §6.3.7, §6.3.8): by name; a name may be subscribed before it exists.
import { accountOf, type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";
import type { CommandOf } from "../wire/command.js";

export async function subscribe(
  ctx: CommandContext,
  command: CommandOf<"subscribe" | "unsubscribe">,
): Promise<CommandOutcome> {
  const isSubscribe = command.name === "subscribe";
  await ctx.services.mailboxes.setSubscribed(accountOf(ctx).id, command.mailbox, isSubscribe);
  return ok(`${isSubscribe ? "SUBSCRIBE" : "UNSUBSCRIBE"} completed`);
}

// CAPABILITY (RFC 9051 §6.1.1).
import { type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";

export async function capability(ctx: CommandContext): Promise<CommandOutcome> {
  await ctx.send({ kind: "capability", capabilities: ctx.session.capabilities() });
  return ok("CAPABILITY completed");
}

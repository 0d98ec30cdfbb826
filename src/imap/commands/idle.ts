// IDLE (RFC 2177, RFC 9051 §6.3.13): changes to the selected mailbox are pushed as they commit,
// until the client sends DONE.
import { type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";

export async function idle(ctx: CommandContext): Promise<CommandOutcome> {
  await ctx.session.idle(async () => {
    const state = ctx.session.state;
    if (state.kind !== "selected") return;
    // Anything that changed before IDLE began is announced at once.
    for (const response of await state.selected.collectUpdates(true, true)) await ctx.send(response);
  });
  return ok("IDLE terminated");
}

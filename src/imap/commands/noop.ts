// NOOP (RFC 9051 §6.1.2) and CHECK (RFC 3501 §6.4.1): both ask for pending changes; the session
// announces them before the tagged OK.
import { type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";

export async function noop(ctx: CommandContext): Promise<CommandOutcome> {
  const state = ctx.session.state;
  if (state.kind === "selected") state.selected.markDirty();
  return ok("NOOP completed");
}

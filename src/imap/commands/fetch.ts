// PLACEHOLDER while the FETCH command is being written; replaced before the IMAP issue is resolved.
import { type CommandContext, type CommandOutcome, no } from "../session/command-context.js";

export async function fetch(_ctx: CommandContext): Promise<CommandOutcome> {
  return no("FETCH is not available yet", { kind: "CANNOT" });
}

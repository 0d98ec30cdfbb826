// PLACEHOLDER while the STATUS command is being written; replaced before the IMAP issue is resolved.
import { type CommandContext, type CommandOutcome, no } from "../session/command-context.js";

export async function status(_ctx: CommandContext): Promise<CommandOutcome> {
  return no("STATUS is not available yet", { kind: "CANNOT" });
}

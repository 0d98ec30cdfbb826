// PLACEHOLDER while the SEARCH command is being written; replaced before the IMAP issue is resolved.
import { type CommandContext, type CommandOutcome, no } from "../session/command-context.js";

export async function search(_ctx: CommandContext): Promise<CommandOutcome> {
  return no("SEARCH is not available yet", { kind: "CANNOT" });
}

// PLACEHOLDER while the STORE command is being written; replaced before the IMAP issue is resolved.
import { type CommandContext, type CommandOutcome, no } from "../session/command-context.js";

export async function store(_ctx: CommandContext): Promise<CommandOutcome> {
  return no("STORE is not available yet", { kind: "CANNOT" });
}

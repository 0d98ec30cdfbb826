// PLACEHOLDER while the NAMESPACE command is being written; replaced before the IMAP issue is resolved.
import { type CommandContext, type CommandOutcome, no } from "../session/command-context.js";

export async function namespace(_ctx: CommandContext): Promise<CommandOutcome> {
  return no("NAMESPACE is not available yet", { kind: "CANNOT" });
}

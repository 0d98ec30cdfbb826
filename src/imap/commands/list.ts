// PLACEHOLDER while LIST/LSUB are being written; replaced before the IMAP issue is resolved.
import { type CommandContext, type CommandOutcome, no } from "../session/command-context.js";

export async function list(_ctx: CommandContext): Promise<CommandOutcome> {
  return no("LIST is not available yet", { kind: "CANNOT" });
}

export async function lsub(_ctx: CommandContext): Promise<CommandOutcome> {
  return no("LSUB is not available yet", { kind: "CANNOT" });
}

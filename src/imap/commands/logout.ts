// LOGOUT (RFC 9051 §6.1.3): BYE, then the tagged OK, then the server closes the connection.
import { type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";

export async function logout(ctx: CommandContext): Promise<CommandOutcome> {
  await ctx.send({ kind: "condition", status: "BYE", code: null, text: "Logging out" });
  ctx.session.setState({ kind: "logout" });
  return ok("LOGOUT completed");
}

// GENURLAUTH (RFC 4467 §6.1): authorizes rump URLs of the user's own messages with the INTERNAL
// mechanism and returns the full URLs in one untagged GENURLAUTH; any URL that cannot be authorized
// fails the whole command with NO [BADURL url] (nothing is returned then).
import { isMailError } from "../../kit/mail-error.js";
import { accountOf, type CommandContext, type CommandOutcome, no, ok } from "../session/command-context.js";
import type { CommandOf } from "../wire/command.js";

export async function genUrlAuth(
  ctx: CommandContext,
  command: CommandOf<"genurlauth">,
): Promise<CommandOutcome> {
  const account = accountOf(ctx);
  const urls: string[] = [];
  for (const { rump, mechanism } of command.urls) {
    try {
      urls.push(await ctx.services.urlAuth.generate(account, rump, mechanism));
    } catch (error) {
      if (!isMailError(error)) throw error;
      return no(error.publicText, { kind: "BADURL", url: rump });
    }
  }
  await ctx.send({ kind: "genurlauth", urls });
  return ok("GENURLAUTH completed");
}

// CANCELUPDATE (RFC 5267 §4.2): stops the ADDTO/REMOVEFROM updates of the live searches named by the
// tags of the commands that started them; a tag that names none is NO (as Dovecot answers), after the
// ones before it were cancelled.
import { type CommandContext, type CommandOutcome, no, ok, selectedOf } from "../session/command-context.js";
import type { CommandOf } from "../wire/command.js";

export async function cancelUpdate(
  ctx: CommandContext,
  command: CommandOf<"cancelupdate">,
): Promise<CommandOutcome> {
  const contexts = selectedOf(ctx).contexts;
  for (const tag of command.tags) {
    if (!contexts.cancel(tag)) return no(`No search with tag ${JSON.stringify(tag)} is being updated`);
  }
  return ok("CANCELUPDATE completed");
}

// ID (RFC 2971): logs what the client says about itself, keeps which client it is for the client quirks
// (session/client-quirks.ts) and names the server; nothing secret.
import { identifyClient } from "../session/client-quirks.js";
import { type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";
import type { CommandOf } from "../wire/command.js";

export async function id(ctx: CommandContext, command: CommandOf<"id">): Promise<CommandOutcome> {
  if (command.parameters !== null) {
    const client = Object.fromEntries(
      command.parameters.slice(0, 30).map((p) => [p.key.slice(0, 30), p.value?.slice(0, 128) ?? null]),
    );
    ctx.log.info({ client }, "imap client id");
  }
  ctx.session.identifyClient(identifyClient(command.parameters));
  await ctx.send({ kind: "id", parameters: [{ key: "name", value: "Postfach" }] });
  return ok("ID completed");
}

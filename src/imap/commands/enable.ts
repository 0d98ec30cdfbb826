// ENABLE (RFC 5161): IMAP4rev2 (RFC 9051 §6.3.1), UTF8=ACCEPT (RFC 6855), CONDSTORE and QRESYNC
// (RFC 7162 §3.1, §3.2.3: QRESYNC implies CONDSTORE, and only QRESYNC is reported); others are ignored.
import { ENABLEABLE, type Enableable } from "../session/capabilities.js";
import { type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";
import { enableCondstore, enableQresync } from "../session/condstore.js";
import type { CommandOf } from "../wire/command.js";

export async function enable(ctx: CommandContext, command: CommandOf<"enable">): Promise<CommandOutcome> {
  const newlyEnabled: string[] = [];
  for (const name of command.capabilities) {
    const known = ENABLEABLE.find((c) => c === name.toUpperCase()) as Enableable | undefined;
    if (!known || ctx.session.enabled.has(known)) continue;
    if (known === "CONDSTORE") await enableCondstore(ctx);
    else if (known === "QRESYNC") await enableQresync(ctx);
    else ctx.session.enable(known);
    newlyEnabled.push(known === "IMAP4REV2" ? "IMAP4rev2" : known);
  }
  await ctx.send({ kind: "enabled", capabilities: newlyEnabled });
  return ok("ENABLE completed");
}

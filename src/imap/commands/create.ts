// CREATE (RFC 9051 §6.3.4) with CREATE-SPECIAL-USE (RFC 6154 §3): missing parents are created too. The
// tagged OK names the new mailbox's stable id (RFC 8474 §4.1 MAILBOXID).
import { SPECIAL_USES, type SpecialUse } from "../../store/mail-store.js";
import { accountOf, type CommandContext, type CommandOutcome, no, ok } from "../session/command-context.js";
import type { CommandOf } from "../wire/command.js";

export async function create(ctx: CommandContext, command: CommandOf<"create">): Promise<CommandOutcome> {
  const account = accountOf(ctx);
  if (command.specialUse.length > 1) return no("Only one special use per mailbox", { kind: "USEATTR" });
  let specialUse: SpecialUse | null = null;
  const requested = command.specialUse[0];
  if (requested !== undefined) {
    const match = SPECIAL_USES.find((use) => use.toLowerCase() === requested.toLowerCase());
    if (!match) return no(`Unsupported special use ${requested}`, { kind: "USEATTR" });
    specialUse = match;
  }
  const created = await ctx.services.mailboxes.create(account.id, command.mailbox, specialUse);
  return ok("CREATE completed", { kind: "MAILBOXID", id: created.id });
}

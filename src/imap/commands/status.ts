// STATUS (RFC 9051 §6.3.11; SIZE of RFC 8438, RECENT of RFC 3501, also for IMAP4rev2 sessions that ask):
// answered from the store's exact counts, also for the selected mailbox. Needs the r right (RFC 4314 §4).
import { findUnadvertisedItem, readStatusItems, statusSourceOf } from "../list/mailbox-status.js";
import { bad, type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";
import { enableCondstore } from "../session/condstore.js";
import { openMailbox } from "../session/mailbox-access.js";
import type { CommandOf } from "../wire/command.js";

export async function status(ctx: CommandContext, command: CommandOf<"status">): Promise<CommandOutcome> {
  const unadvertised = findUnadvertisedItem(command.items, ctx.session.capabilities());
  if (unadvertised !== null) {
    return bad(`STATUS ${unadvertised.item} needs ${unadvertised.capability}, which is not advertised`);
  }
  // RFC 7162 §3.1: STATUS HIGHESTMODSEQ is a CONDSTORE enabling command.
  if (command.items.includes("HIGHESTMODSEQ")) await enableCondstore(ctx);
  const { mailbox } = await openMailbox(ctx, command.mailbox, "r");
  const items = await readStatusItems(mailbox, command.items, statusSourceOf(ctx));
  // Dovecot echoes the name as the client spelled it.
  await ctx.send({ kind: "status", mailbox: command.mailbox, items });
  return ok("STATUS completed");
}

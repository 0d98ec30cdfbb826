// GETMETADATA (RFC 5464 §4.2): the entries of a mailbox, or of the server for mailbox "", with DEPTH and
// MAXSIZE; one untagged METADATA response, then OK, with [METADATA LONGENTRIES n] when MAXSIZE left some
// out. Invalid entry names get BAD (mail/metadata/entry-name.ts), a missing mailbox NO [NONEXISTENT].
// A shared folder's annotations need the l and r rights (RFC 5464 §3.4, RFC 4314): its /shared entries
// and the user's own /private ones on it; the reply names it as the client does (Shared/<owner>/…).
import { accountOf, type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";
import { noPermission, openMailbox } from "../session/mailbox-access.js";
import type { CommandOf } from "../wire/command.js";

export async function getMetadata(
  ctx: CommandContext,
  command: CommandOf<"getmetadata">,
): Promise<CommandOutcome> {
  const account = accountOf(ctx);
  const target = command.mailbox === "" ? null : await openMailbox(ctx, command.mailbox, "l");
  if (target !== null && !target.rights.has("r")) throw noPermission("r");
  const result = await ctx.services.metadata.read(
    target?.owner.id ?? account.id,
    account.id,
    target?.mailbox ?? null,
    { names: command.entries, depth: command.options.depth, maxSize: command.options.maxSize },
  );
  if (result.entries.length > 0) {
    await ctx.send({ kind: "metadata", mailbox: target?.clientName ?? "", entries: result.entries });
  }
  return ok(
    "GETMETADATA completed",
    result.longestOmittedBytes === null
      ? null
      : { kind: "METADATA LONGENTRIES", value: result.longestOmittedBytes },
  );
}

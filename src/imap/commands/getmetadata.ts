// GETMETADATA (RFC 5464 §4.2): the entries of a mailbox, or of the server for mailbox "", with DEPTH and
// MAXSIZE; one untagged METADATA response, then OK, with [METADATA LONGENTRIES n] when MAXSIZE left some
// out. Invalid entry names get BAD (mail/metadata/entry-name.ts), a missing mailbox NO [NONEXISTENT].
import { accountOf, type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";
import type { CommandOf } from "../wire/command.js";

export async function getMetadata(
  ctx: CommandContext,
  command: CommandOf<"getmetadata">,
): Promise<CommandOutcome> {
  const account = accountOf(ctx);
  const mailbox =
    command.mailbox === "" ? null : await ctx.services.mailboxes.require(account.id, command.mailbox);
  const result = await ctx.services.metadata.read(account.id, account.id, mailbox, {
    names: command.entries,
    depth: command.options.depth,
    maxSize: command.options.maxSize,
  });
  if (result.entries.length > 0) {
    await ctx.send({ kind: "metadata", mailbox: mailbox?.name ?? "", entries: result.entries });
  }
  return ok(
    "GETMETADATA completed",
    result.longestOmittedBytes === null
      ? null
      : { kind: "METADATA LONGENTRIES", value: result.longestOmittedBytes },
  );
}

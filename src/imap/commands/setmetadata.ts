// SETMETADATA (RFC 5464 §4.3): sets and removes (NIL) entries of a mailbox, or of the server for mailbox
// "", all or none. Refusals carry RFC 5464's codes: [METADATA MAXSIZE n] for a value over the limit,
// [METADATA TOOMANY] past the entry or byte limits, [METADATA NOPRIVATE] when private entries are off;
// computed entries (/private/specialuse, /shared/admin) are read-only ([CANNOT]).
import type { MetadataWriteResult } from "../../mail/metadata/metadata-service.js";
import { accountOf, type CommandContext, type CommandOutcome, no, ok } from "../session/command-context.js";
import type { CommandOf } from "../wire/command.js";

export async function setMetadata(
  ctx: CommandContext,
  command: CommandOf<"setmetadata">,
): Promise<CommandOutcome> {
  const account = accountOf(ctx);
  const mailbox =
    command.mailbox === "" ? null : await ctx.services.mailboxes.require(account.id, command.mailbox);
  const result = await ctx.services.metadata.write(
    account.id,
    account.id,
    mailbox,
    command.entries.map((pair) => ({ name: pair.entry, value: pair.value })),
  );
  return outcomeOf(result);
}

function outcomeOf(result: MetadataWriteResult): CommandOutcome {
  switch (result.kind) {
    case "written":
      return ok("SETMETADATA completed");
    case "tooLarge":
      return no(`A value may have at most ${result.maxEntryBytes} bytes`, {
        kind: "METADATA MAXSIZE",
        value: result.maxEntryBytes,
      });
    case "tooMany":
      return no(
        result.reason === "entries"
          ? "Too many annotations on this mailbox"
          : "The account's annotations are too large",
        { kind: "METADATA TOOMANY" },
      );
    case "noPrivate":
      return no("Private annotations are not supported", { kind: "METADATA NOPRIVATE" });
    case "readOnly":
      return no(`${result.name} is read-only`, { kind: "CANNOT" });
  }
}

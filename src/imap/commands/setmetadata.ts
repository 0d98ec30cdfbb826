// SETMETADATA (RFC 5464 §4.3): sets and removes (NIL) entries of a mailbox, or of the server for mailbox
// "", all or none. Refusals carry RFC 5464's codes: [METADATA MAXSIZE n] for a value over the limit,
// [METADATA TOOMANY] past the entry or byte limits, [METADATA NOPRIVATE] when private entries are off;
// computed entries (/private/specialuse, /shared/admin) are read-only ([CANNOT]).
// On a shared folder (RFC 5464 §3.4, RFC 4314): /private entries need the l right and are the writer's
// own (nobody else sees them), /shared entries need w; without them NO [NOPERM], or [NONEXISTENT] for a
// folder the user may not see at all.
import { entryNameError } from "../../mail/metadata/entry-name.js";
import type { MetadataWriteResult } from "../../mail/metadata/metadata-service.js";
import { accountOf, type CommandContext, type CommandOutcome, no, ok } from "../session/command-context.js";
import { noPermission, openMailbox } from "../session/mailbox-access.js";
import type { CommandOf } from "../wire/command.js";

export async function setMetadata(
  ctx: CommandContext,
  command: CommandOf<"setmetadata">,
): Promise<CommandOutcome> {
  const account = accountOf(ctx);
  const target = command.mailbox === "" ? null : await openMailbox(ctx, command.mailbox, "visible");
  if (target !== null) {
    for (const { entry } of command.entries) {
      // Invalid names are left to the write, which refuses them with BAD.
      if (entryNameError(entry) !== null) continue;
      const right = entry.toLowerCase().startsWith("/private") ? "l" : "w";
      if (!target.rights.has(right)) throw noPermission(right);
    }
  }
  const result = await ctx.services.metadata.write(
    target?.owner.id ?? account.id,
    account.id,
    target?.mailbox ?? null,
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

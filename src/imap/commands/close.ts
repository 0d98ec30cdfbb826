// CLOSE (RFC 9051 §6.4.1): silently expunges \Deleted messages of a read-write mailbox, then
// deselects; UNSELECT (RFC 3691, §6.4.2) deselects without expunging. Without the e right (RFC 4314 §4)
// CLOSE skips the expunge and still succeeds.
import type { Uid } from "../../kit/ids.js";
import {
  accountOf,
  type CommandContext,
  type CommandOutcome,
  ok,
  selectedOf,
} from "../session/command-context.js";

export async function close(ctx: CommandContext): Promise<CommandOutcome> {
  const account = accountOf(ctx);
  const selected = selectedOf(ctx);
  ctx.session.setState({ kind: "authenticated", account });
  if (!selected.isReadOnly && selected.rights.has("e")) {
    const deleted = selected.view.entries
      .filter((e) => e.flags.system.has("\\Deleted"))
      .map((e) => e.uid as Uid);
    if (deleted.length > 0) {
      await ctx.services.store.messages.expunge(selected.view.accountId, selected.view.mailboxId, deleted, {
        onlyDeleted: true,
      });
    }
  }
  return ok("CLOSE completed");
}

export async function unselect(ctx: CommandContext): Promise<CommandOutcome> {
  ctx.session.setState({ kind: "authenticated", account: accountOf(ctx) });
  return ok("UNSELECT completed");
}

// GETQUOTAROOT (RFC 9208 §4.1.2): every mailbox of an account lies in the account's one quota root, so
// the answer is `* QUOTAROOT mailbox ""` followed by that root's QUOTA. A mailbox another account shares
// (RFC 4314) counts against its owner: its root is named by the owner's address.
import { OWN_QUOTA_ROOT, quotaResources } from "../quota/quota-root.js";
import { type CommandContext, type CommandOutcome, no, ok } from "../session/command-context.js";
import { openMailbox } from "../session/mailbox-access.js";
import type { CommandOf } from "../wire/command.js";

export async function getQuotaRoot(
  ctx: CommandContext,
  command: CommandOf<"getquotaroot">,
): Promise<CommandOutcome> {
  // Rejects with nonexistent (NO [NONEXISTENT]) for an unknown mailbox or one the user may not see.
  const target = await openMailbox(ctx, command.mailbox, "visible");
  const account = await ctx.services.store.accounts.get(target.owner.id);
  if (account === undefined) return no("Account no longer exists", { kind: "NONEXISTENT" });
  const root = target.isOwn ? OWN_QUOTA_ROOT : target.owner.address;
  await ctx.sendAll([
    { kind: "quotaroot", mailbox: command.mailbox, roots: [root] },
    { kind: "quota", root, resources: quotaResources(account) },
  ]);
  return ok("GETQUOTAROOT completed");
}

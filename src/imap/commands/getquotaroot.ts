// GETQUOTAROOT (RFC 9208 §4.1.2): every mailbox of an account lies in the account's one quota root, so
// the answer is `* QUOTAROOT mailbox ""` followed by that root's QUOTA.
import { OWN_QUOTA_ROOT, quotaResources } from "../quota/quota-root.js";
import { accountOf, type CommandContext, type CommandOutcome, no, ok } from "../session/command-context.js";
import type { CommandOf } from "../wire/command.js";

export async function getQuotaRoot(
  ctx: CommandContext,
  command: CommandOf<"getquotaroot">,
): Promise<CommandOutcome> {
  const user = accountOf(ctx);
  // Rejects with nonexistent (NO [NONEXISTENT]) for an unknown mailbox.
  await ctx.services.mailboxes.require(user.id, command.mailbox);
  const account = await ctx.services.store.accounts.get(user.id);
  if (account === undefined) return no("Account no longer exists", { kind: "NONEXISTENT" });
  await ctx.sendAll([
    { kind: "quotaroot", mailbox: command.mailbox, roots: [OWN_QUOTA_ROOT] },
    { kind: "quota", root: OWN_QUOTA_ROOT, resources: quotaResources(account) },
  ]);
  return ok("GETQUOTAROOT completed");
}

// SETQUOTA (RFC 9208 §4.1.3): replaces a quota root's limits; only accounts listed in [imap] quota_admins
// may run it (ordinary users get NO [NOPERM]). Answers with the root's new QUOTA.
import { findQuotaRootAccount, isQuotaAdmin, quotaLimitsOf, quotaResources } from "../quota/quota-root.js";
import { accountOf, type CommandContext, type CommandOutcome, no, ok } from "../session/command-context.js";
import type { CommandOf } from "../wire/command.js";

export async function setQuota(ctx: CommandContext, command: CommandOf<"setquota">): Promise<CommandOutcome> {
  const user = accountOf(ctx);
  if (!isQuotaAdmin(ctx, user)) return no("Only quota administrators may set quotas", { kind: "NOPERM" });
  const requested = quotaLimitsOf(command.limits);
  if ("unsupported" in requested) return no(`Unsupported quota resource ${requested.unsupported}`);
  const target = await findQuotaRootAccount(ctx, user, command.root);
  if (target === undefined) return no("No such quota root", { kind: "NONEXISTENT" });
  await ctx.services.store.accounts.setQuota(target.id, requested.limits);
  const updated = (await ctx.services.store.accounts.get(target.id)) ?? target;
  ctx.log.info({ root: command.root, quota: requested.limits }, "quota set");
  await ctx.send({ kind: "quota", root: command.root, resources: quotaResources(updated) });
  return ok("SETQUOTA completed");
}

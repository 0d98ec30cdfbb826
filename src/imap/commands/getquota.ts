// GETQUOTA (RFC 9208 §4.1.1): the usage and limits of one quota root, as an untagged QUOTA response.
import { findQuotaRootAccount, quotaResources } from "../quota/quota-root.js";
import { accountOf, type CommandContext, type CommandOutcome, no, ok } from "../session/command-context.js";
import type { CommandOf } from "../wire/command.js";

export async function getQuota(ctx: CommandContext, command: CommandOf<"getquota">): Promise<CommandOutcome> {
  const account = await findQuotaRootAccount(ctx, accountOf(ctx), command.root);
  if (account === undefined) return no("No such quota root", { kind: "NONEXISTENT" });
  await ctx.send({ kind: "quota", root: command.root, resources: quotaResources(account) });
  return ok("GETQUOTA completed");
}

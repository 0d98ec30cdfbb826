// Every data method names its account (RFC 8620 §3.6.2 accountNotFound): this server offers each user
// their own account only, so any other id, including another user's, is simply not found.
import { type Args, readRequiredString } from "./args.js";
import { type JmapContext, jmapAccountId } from "./jmap-context.js";
import { MethodError } from "./jmap-error.js";

export function requireAccount(ctx: JmapContext, args: Args): string {
  const accountId = readRequiredString(args, "accountId");
  if (accountId !== jmapAccountId(ctx.account)) {
    throw new MethodError("accountNotFound", "No such account");
  }
  return accountId;
}

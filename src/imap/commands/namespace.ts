// NAMESPACE (RFC 9051 §6.3.10, RFC 2342): the personal namespace with an empty prefix, no other users'
// namespace, and the shared namespace "Shared/" holding other accounts' folders shared with the user
// (RFC 4314 ACLs), as `Shared/<owner address>/<folder>` (Dovecot's convention). "/" delimits both.
import { HIERARCHY_DELIMITER } from "../../mail/mailbox-name.js";
import { type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";
import { SHARED_ROOT } from "../session/mailbox-access.js";

export async function namespace(ctx: CommandContext): Promise<CommandOutcome> {
  await ctx.send({
    kind: "namespace",
    personal: [{ prefix: "", delimiter: HIERARCHY_DELIMITER }],
    otherUsers: null,
    shared: [{ prefix: `${SHARED_ROOT}${HIERARCHY_DELIMITER}`, delimiter: HIERARCHY_DELIMITER }],
  });
  return ok("NAMESPACE completed");
}

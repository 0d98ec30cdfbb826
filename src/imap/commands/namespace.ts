// NAMESPACE (RFC 9051 §6.3.10, RFC 2342): one personal namespace with an empty prefix and "/" as the
// hierarchy delimiter; no other users' or shared namespaces.
import { HIERARCHY_DELIMITER } from "../../mail/mailbox-name.js";
import { type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";

export async function namespace(ctx: CommandContext): Promise<CommandOutcome> {
  await ctx.send({
    kind: "namespace",
    personal: [{ prefix: "", delimiter: HIERARCHY_DELIMITER }],
    otherUsers: null,
    shared: null,
  });
  return ok("NAMESPACE completed");
}

// The ACL commands (RFC 4314 §3): SETACL, DELETEACL, GETACL and LISTRIGHTS need the a right on the
// mailbox, MYRIGHTS any right (§4); a mailbox the user may not see answers NO [NONEXISTENT] (§6). The
// owner always holds every right and shows in GETACL as such; negative rights are refused. Rights are
// written with the virtual c and d (§2.1.1); an unknown right is BAD (§3.1).
import { type AccessibleMailbox, noPermission } from "../../mail/access/mailbox-access.js";
import {
  ALL_RIGHTS,
  canonicalRights,
  formatRights,
  parseRights,
  parseRightsModification,
  RIGHTS,
} from "../../mail/access/rights.js";
import { bad, type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";
import { openMailbox } from "../session/mailbox-access.js";
import type { CommandOf } from "../wire/command.js";

/** The a right, checked after visibility so an invisible mailbox still looks absent. */
async function openAdministered(ctx: CommandContext, name: string): Promise<AccessibleMailbox> {
  const target = await openMailbox(ctx, name, "visible");
  if (!target.rights.has("a")) throw noPermission("a");
  return target;
}

export async function setAcl(ctx: CommandContext, command: CommandOf<"setacl">): Promise<CommandOutcome> {
  const modification = parseRightsModification(command.rights);
  if (modification === null) return bad(`Unknown right in "${command.rights.slice(0, 32)}"`);
  if (command.identifier === "") return bad("Empty identifier");
  const target = await openAdministered(ctx, command.mailbox);
  await ctx.services.access.setRights(target, command.identifier, modification);
  return ok("SETACL completed");
}

export async function deleteAcl(
  ctx: CommandContext,
  command: CommandOf<"deleteacl">,
): Promise<CommandOutcome> {
  if (command.identifier === "") return bad("Empty identifier");
  const target = await openAdministered(ctx, command.mailbox);
  await ctx.services.access.deleteRights(target, command.identifier);
  return ok("DELETEACL completed");
}

export async function getAcl(ctx: CommandContext, command: CommandOf<"getacl">): Promise<CommandOutcome> {
  const target = await openAdministered(ctx, command.mailbox);
  const entries = await ctx.services.access.getAcl(target);
  await ctx.send({
    kind: "acl",
    mailbox: command.mailbox,
    entries: [
      { identifier: target.owner.address, rights: formatRights(ALL_RIGHTS) },
      ...entries.map((e) => ({
        identifier: e.identifier,
        rights: formatRights(parseRights(e.rights) ?? new Set()),
      })),
    ],
  });
  return ok("GETACL completed");
}

export async function listRights(
  ctx: CommandContext,
  command: CommandOf<"listrights">,
): Promise<CommandOutcome> {
  if (command.identifier === "") return bad("Empty identifier");
  const target = await openAdministered(ctx, command.mailbox);
  const isOwner = command.identifier.toLowerCase() === target.owner.address;
  // The owner is always granted everything; anyone else may be granted each right on its own (the
  // virtual c and d listed too, §2.1.1).
  await ctx.send({
    kind: "listrights",
    mailbox: command.mailbox,
    identifier: command.identifier,
    required: isOwner ? canonicalRights(ALL_RIGHTS) : "",
    optional: isOwner ? [] : [...RIGHTS, "c", "d"],
  });
  return ok("LISTRIGHTS completed");
}

export async function myRights(ctx: CommandContext, command: CommandOf<"myrights">): Promise<CommandOutcome> {
  const target = await openMailbox(ctx, command.mailbox, "any");
  await ctx.send({ kind: "myrights", mailbox: command.mailbox, rights: formatRights(target.rights) });
  return ok("MYRIGHTS completed");
}

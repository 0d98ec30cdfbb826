// CREATE (RFC 9051 §6.3.4) with CREATE-SPECIAL-USE (RFC 6154 §3): missing parents are created too. The
// tagged OK names the new mailbox's stable id (RFC 8474 §4.1 MAILBOXID). In another account's tree it
// needs the k right on the nearest existing parent (RFC 4314 §4), and the new mailbox inherits that
// parent's ACL, as in the user's own tree.
import { MailError } from "../../kit/mail-error.js";
import { SPECIAL_USES, type SpecialUse } from "../../store/mail-store.js";
import { type CommandContext, type CommandOutcome, no, ok } from "../session/command-context.js";
import { accessUserOf, parseMailboxRef, resolveMailboxRef, SHARED_ROOT } from "../session/mailbox-access.js";
import type { CommandOf } from "../wire/command.js";

export async function create(ctx: CommandContext, command: CommandOf<"create">): Promise<CommandOutcome> {
  const ref = parseMailboxRef(command.mailbox);
  if (ref.kind === "namespace" || (ref.kind === "own" && ref.name.replace(/\/$/, "") === SHARED_ROOT)) {
    return no(`${SHARED_ROOT} is the shared namespace, not a mailbox`, { kind: "CANNOT" });
  }
  if (command.specialUse.length > 1) return no("Only one special use per mailbox", { kind: "USEATTR" });
  let specialUse: SpecialUse | null = null;
  const requested = command.specialUse[0];
  if (requested !== undefined) {
    const match = SPECIAL_USES.find((use) => use.toLowerCase() === requested.toLowerCase());
    if (!match) return no(`Unsupported special use ${requested}`, { kind: "USEATTR" });
    specialUse = match;
  }
  const { owner, folder } = await resolveMailboxRef(ctx, command.mailbox).catch((error: unknown) => {
    // CREATE under an unknown owner: nothing there to create in, and nothing to reveal.
    throw error instanceof MailError && error.code === "nonexistent"
      ? new MailError("noPerm", "Permission denied: no create (k) right there")
      : error;
  });
  const parent = await ctx.services.access.checkCreate(accessUserOf(ctx), owner, folder);
  const created = await ctx.services.mailboxes.create(owner.id, folder, specialUse);
  if (parent !== null) await ctx.services.access.inheritAcl(owner, parent, created);
  return ok("CREATE completed", { kind: "MAILBOXID", id: created.id });
}

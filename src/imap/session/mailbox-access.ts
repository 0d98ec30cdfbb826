// How IMAP names reach mailboxes of other accounts, and the one access check every command goes through
// (RFC 4314 §4 through mail/access). The shared namespace is Dovecot's: `Shared/<owner address>/<folder>`
// names the folder of another account (RFC 2342 shared namespace "Shared/"); every other name is the
// user's own. Store calls on a mailbox then use the owner's account id, while rights are the user's.

import { MailError } from "../../kit/mail-error.js";
import {
  type AccessibleMailbox,
  type AccessNeed,
  type AccessUser,
  noPermission,
} from "../../mail/access/mailbox-access.js";
import { HIERARCHY_DELIMITER } from "../../mail/mailbox-name.js";
import { accountOf, type CommandContext } from "./command-context.js";

/** The shared namespace's prefix without its delimiter (NAMESPACE shows "Shared/"). */
export const SHARED_ROOT = "Shared";
const SHARED_PREFIX = `${SHARED_ROOT}${HIERARCHY_DELIMITER}`;

/** Where a client's mailbox name points. */
export type MailboxRef =
  | { readonly kind: "own"; readonly name: string }
  | { readonly kind: "shared"; readonly ownerAddress: string; readonly name: string }
  /** "Shared" or "Shared/<owner>": namespace levels, never mailboxes. */
  | { readonly kind: "namespace" };

export function parseMailboxRef(name: string): MailboxRef {
  const trimmed = name.endsWith(HIERARCHY_DELIMITER) ? name.slice(0, -1) : name;
  if (trimmed === SHARED_ROOT) return { kind: "namespace" };
  if (!trimmed.startsWith(SHARED_PREFIX)) return { kind: "own", name };
  const rest = trimmed.slice(SHARED_PREFIX.length);
  const slash = rest.indexOf(HIERARCHY_DELIMITER);
  if (slash <= 0) return { kind: "namespace" };
  return { kind: "shared", ownerAddress: rest.slice(0, slash).toLowerCase(), name: rest.slice(slash + 1) };
}

/** The name a user sees for a folder of another account. */
export function sharedName(ownerAddress: string, name: string): string {
  return `${SHARED_PREFIX}${ownerAddress}${HIERARCHY_DELIMITER}${name}`;
}

/** The logged-in user as the access rules see them. */
export function accessUserOf(ctx: CommandContext): AccessUser {
  const account = accountOf(ctx);
  return { id: account.id, address: account.address };
}

/** A mailbox a command may use, with the name the client knows it by. */
export interface ImapMailbox extends AccessibleMailbox {
  readonly clientName: string;
}

/** The owner and folder a name points at (nonexistent for a namespace level or an unknown owner). */
export async function resolveMailboxRef(
  ctx: CommandContext,
  name: string,
): Promise<{ readonly owner: AccessUser; readonly folder: string }> {
  const user = accessUserOf(ctx);
  const ref = parseMailboxRef(name);
  if (ref.kind === "own") return { owner: user, folder: ref.name };
  if (ref.kind === "namespace") throw new MailError("nonexistent", `${name} is a namespace, not a mailbox`);
  const owner =
    ref.ownerAddress === user.address ? user : await ctx.services.access.findOwner(ref.ownerAddress);
  if (!owner) throw new MailError("nonexistent", `Mailbox ${name} does not exist`);
  return { owner, folder: ref.name };
}

/**
 * The access check: the mailbox `name` with the user's rights, when they meet `need`. A missing or
 * invisible mailbox rejects with nonexistent (NO [NONEXISTENT]), a visible one without the right with
 * noPerm (NO [NOPERM]).
 */
export async function openMailbox(ctx: CommandContext, name: string, need: AccessNeed): Promise<ImapMailbox> {
  const { owner, folder } = await resolveMailboxRef(ctx, name);
  const target = await ctx.services.access.open(accessUserOf(ctx), owner, folder, need);
  const clientName = target.isOwn ? target.mailbox.name : sharedName(owner.address, target.mailbox.name);
  return { ...target, clientName };
}

/** For APPEND, COPY and MOVE targets: a mailbox that is missing or invisible answers [TRYCREATE]. */
export async function openTarget(ctx: CommandContext, name: string): Promise<ImapMailbox | null> {
  try {
    return await openMailbox(ctx, name, "i");
  } catch (error) {
    if (error instanceof MailError && error.code === "nonexistent") return null;
    throw error;
  }
}

export { noPermission };

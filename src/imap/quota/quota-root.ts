// Quota roots and resources as IMAP shows them (RFC 9208 §3): each account is one quota root holding
// every mailbox of it; STORAGE counts the account's message bytes in units of 1024 octets (§3.1.1),
// MESSAGE counts its messages (§3.1.2). The store enforces the limits; this module only reports them.
import type { AccountRecord, QuotaLimits } from "../../store/mail-store.js";
import type { CommandContext } from "../session/command-context.js";
import type { QuotaLimitArgument } from "../wire/command.js";
import type { QuotaResourceData } from "../wire/response.js";

/** The name of the logged-in user's own quota root, the root GETQUOTAROOT reports for every mailbox. */
export const OWN_QUOTA_ROOT = "";

/** The resources this server counts and enforces, as advertised by QUOTA=RES-<name>. */
export const QUOTA_RESOURCES = ["STORAGE", "MESSAGE"] as const;
export type QuotaResourceName = (typeof QUOTA_RESOURCES)[number];

const STORAGE_UNIT_BYTES = 1024;

/** Whether the logged-in account may run SETQUOTA and read other accounts' roots ([imap] quota_admins). */
export function isQuotaAdmin(ctx: CommandContext, account: AccountRecord): boolean {
  return ctx.services.quotaAdmins.has(account.address.toLowerCase());
}

/**
 * The current record of the account a quota root names: "" (or the user's own address) is the user's
 * own account; a quota admin may also name any other account by its address. Undefined if the root
 * does not exist for this user (other users' roots are not disclosed to non-admins).
 */
export async function findQuotaRootAccount(
  ctx: CommandContext,
  user: AccountRecord,
  root: string,
): Promise<AccountRecord | undefined> {
  const accounts = ctx.services.store.accounts;
  if (root === OWN_QUOTA_ROOT || root.toLowerCase() === user.address) return accounts.get(user.id);
  if (!isQuotaAdmin(ctx, user)) return undefined;
  return accounts.findByAddress(root.toLowerCase());
}

/**
 * The limited resources of an account with their usage (§5.1: a resource without a limit is left out).
 * Usage is rounded up and the limit down to whole KiB, so a client never sees room the store would refuse.
 */
export function quotaResources(account: AccountRecord): QuotaResourceData[] {
  const resources: QuotaResourceData[] = [];
  const { storageBytes, messages } = account.quota;
  if (storageBytes !== null) {
    resources.push({
      name: "STORAGE",
      usage: Math.ceil(account.usedBytes / STORAGE_UNIT_BYTES),
      limit: Math.floor(storageBytes / STORAGE_UNIT_BYTES),
    });
  }
  if (messages !== null) resources.push({ name: "MESSAGE", usage: account.messageCount, limit: messages });
  return resources;
}

/**
 * The limits a SETQUOTA asks for (§4.1.3: a resource not listed loses its limit), or the name of the
 * first resource this server does not support.
 */
export function quotaLimitsOf(
  limits: readonly QuotaLimitArgument[],
): { readonly limits: QuotaLimits } | { readonly unsupported: string } {
  let storageBytes: number | null = null;
  let messages: number | null = null;
  for (const { resource, limit } of limits) {
    if (resource === "STORAGE") {
      // Past 2^53 bytes a limit is no limit in practice; keep the number exact.
      storageBytes = Math.min(limit * STORAGE_UNIT_BYTES, Number.MAX_SAFE_INTEGER);
    } else if (resource === "MESSAGE") messages = limit;
    else return { unsupported: resource };
  }
  return { limits: { storageBytes, messages } };
}

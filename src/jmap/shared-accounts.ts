// Mailboxes other users share with the user (IMAP ACL, RFC 4314) as further JMAP accounts (RFC 8620 §1.6.2,
// `isPersonal: false`): one per owner, holding the owner's mailboxes the user may list, with the user's
// rights on each from the same access check IMAP uses (src/mail/access). Methods see such an account
// through a JmapContext whose `account` is the owner's and whose `shared` carries those rights.
import type { MailboxId } from "../kit/ids.js";
import { MailboxAccess, noPermission } from "../mail/access/mailbox-access.js";
import {
  isReadOnlyWith,
  permittedFlags,
  type Right,
  type RightSet,
  rightForFlag,
} from "../mail/access/rights.js";
import type { AccountRecord, FlagSet, MailboxEntry, MailStore } from "../store/mail-store.js";
import { type JmapContext, jmapAccountId } from "./jmap-context.js";
import type { SetError } from "./jmap-error.js";
import { flagsOf } from "./keywords.js";

/** Another user's account as the logged-in user may use it. */
export interface SharedAccount {
  readonly owner: AccountRecord;
  /** The logged-in user it is shared with. */
  readonly user: AccountRecord;
  /** The user's rights on each of the owner's mailboxes the user may list (l); no others are visible. */
  readonly rights: ReadonlyMap<MailboxId, RightSet>;
}

/** The accounts with mailboxes shared with `user`, by owner. */
export async function listSharedAccounts(store: MailStore, user: AccountRecord): Promise<SharedAccount[]> {
  const shared = await new MailboxAccess(store).sharedWith({ id: user.id, address: user.address });
  const byOwner = new Map<number, Map<MailboxId, RightSet>>();
  for (const { owner, mailbox, rights } of shared) {
    const rightsOf = byOwner.get(owner.id) ?? new Map<MailboxId, RightSet>();
    rightsOf.set(mailbox.id, rights);
    byOwner.set(owner.id, rightsOf);
  }
  const accounts: SharedAccount[] = [];
  for (const [ownerId, rights] of byOwner) {
    const owner = await store.accounts.get(ownerId as AccountRecord["id"]);
    if (owner !== undefined) accounts.push({ owner, user, rights });
  }
  return accounts.sort((a, b) => a.owner.id - b.owner.id);
}

/** RFC 8620 §2 isReadOnly: no mailbox of the account lets the user change anything. */
export function isReadOnlyAccount(account: SharedAccount): boolean {
  return [...account.rights.values()].every((rights) => isReadOnlyWith(rights) && !rights.has("k"));
}

/** Whether the user may add blobs to a shared account (uploads, Blob/copy): with i on one of its mailboxes. */
export function canTakeUploads(account: SharedAccount): boolean {
  return [...account.rights.values()].some((rights) => rights.has("i"));
}

/**
 * The context of a call on `accountId`: the user's own account, or one shared with them (with their
 * rights); undefined for any other id.
 */
export async function contextForAccount(
  ctx: JmapContext,
  accountId: string,
): Promise<JmapContext | undefined> {
  const user = ctx.shared?.user ?? ctx.account;
  if (accountId === jmapAccountId(user)) {
    const { shared: _, ...own } = ctx;
    return { ...own, account: user };
  }
  const shared = (await listSharedAccounts(ctx.services.store, user)).find(
    (account) => jmapAccountId(account.owner) === accountId,
  );
  return shared === undefined ? undefined : { ...ctx, account: shared.owner, shared };
}

/** Whether the user sees a mailbox of the context's account: all their own; in a shared one, those they may list. */
export function isVisibleMailbox(ctx: JmapContext, mailboxId: MailboxId): boolean {
  return ctx.shared === undefined || ctx.shared.rights.has(mailboxId);
}

/** The user's rights on a mailbox of the context's account: all of them on their own. */
export function rightsIn(ctx: JmapContext, mailboxId: MailboxId): RightSet | undefined {
  return ctx.shared === undefined ? undefined : (ctx.shared.rights.get(mailboxId) ?? new Set());
}

/** Whether the user may read the emails of a mailbox (RFC 8621 mayReadItems: l and r). */
export function canReadItems(ctx: JmapContext, mailboxId: MailboxId): boolean {
  const rights = rightsIn(ctx, mailboxId);
  return rights === undefined || (rights.has("l") && rights.has("r"));
}

function requireRight(ctx: JmapContext, mailboxId: MailboxId, right: Right): void {
  const rights = rightsIn(ctx, mailboxId);
  if (rights !== undefined && !rights.has(right)) throw noPermission(right);
}

/**
 * RFC 4314 §4 as Email/set applies it to an Email of a shared account: changing keywords needs s
 * ($seen) or w (any other) on every mailbox of a copy; joining a mailbox needs i there, leaving one t
 * and e. Throws MailError("noPerm") (forbidden) naming the missing right; nothing is checked for the
 * user's own account.
 */
export function checkEmailWrite(
  ctx: JmapContext,
  entries: readonly MailboxEntry[],
  keywords: ReadonlySet<string> | null,
  mailboxIds: ReadonlySet<string> | null,
): void {
  if (ctx.shared === undefined) return;
  if (keywords !== null) {
    const target = flagsOf(keywords, false);
    for (const entry of entries) {
      for (const flag of ["\\Seen", "\\Flagged", "\\Answered", "\\Draft"] as const) {
        if (target.system.has(flag) !== entry.flags.system.has(flag))
          requireRight(ctx, entry.mailboxId, rightForFlag(flag));
      }
      const current = new Set(entry.flags.keywords.map((k) => k.toLowerCase()));
      const wanted = new Set(target.keywords);
      if (current.size !== wanted.size || [...wanted].some((k) => !current.has(k)))
        requireRight(ctx, entry.mailboxId, "w");
    }
  }
  if (mailboxIds !== null) {
    const present = new Set<string>(entries.map((e) => e.mailboxId));
    for (const id of mailboxIds) if (!present.has(id)) requireRight(ctx, id as MailboxId, "i");
    for (const id of present) {
      if (mailboxIds.has(id)) continue;
      requireRight(ctx, id as MailboxId, "t");
      requireRight(ctx, id as MailboxId, "e");
    }
  }
}

/**
 * RFC 4314 §4 for adding an email to mailboxes of the context's account (Email/import, Email/copy): the
 * i right on every target; flags the user has no right to set are dropped, as IMAP APPEND drops them.
 * Resolves to the flags to store, or the SetError refusing the whole email.
 */
export function flagsForAppend(
  ctx: JmapContext,
  targets: readonly MailboxId[],
  wanted: FlagSet,
): FlagSet | SetError {
  for (const target of targets) {
    const rights = rightsIn(ctx, target);
    if (rights !== undefined && !rights.has("i")) {
      return { type: "forbidden", description: "Permission denied: no insert (i) right on the mailbox" };
    }
  }
  const firstRights = targets[0] === undefined ? undefined : rightsIn(ctx, targets[0]);
  return firstRights === undefined ? wanted : permittedFlags(wanted, firstRights);
}

/** The methods that serve shared accounts; others answer accountNotSupportedByMethod for them. */
export const SHARED_ACCOUNT_METHODS: ReadonlySet<string> = new Set([
  "Mailbox/get",
  "Mailbox/changes",
  "Mailbox/query",
  "Mailbox/queryChanges",
  "Thread/get",
  "Thread/changes",
  "Email/get",
  "Email/changes",
  "Email/query",
  "Email/queryChanges",
  "Email/set",
  "Email/copy",
  "Email/import",
  "Email/parse",
  "Blob/copy",
  "Mailbox/set",
  "SearchSnippet/get",
]);

// The one access check of every mailbox operation (RFC 4314 §4, §6): finds a mailbox of its owner's
// account as a user sees it, with the user's effective rights, and refuses as the RFC says — a mailbox
// the user may neither list nor read looks as if it did not exist (nonexistent), one they can see but
// lack the right for fails with noPerm. Also the ACL administration every protocol and the CLI share.
import type { AccountId, MailboxId } from "../../kit/ids.js";
import { MailError } from "../../kit/mail-error.js";
import type { AclEntry, MailboxRecord, MailStore } from "../../store/mail-store.js";
import { normalizeMailboxName, parentNames } from "../mailbox-name.js";
import {
  ANYONE_IDENTIFIERS,
  applyModification,
  canAskRights,
  canonicalRights,
  canSeeMailbox,
  effectiveRights,
  parseRights,
  type Right,
  type RightSet,
  type RightsModification,
} from "./rights.js";

/** Who is asking: the logged-in account. */
export interface AccessUser {
  readonly id: AccountId;
  readonly address: string;
}

/** The account a mailbox belongs to. */
export interface MailboxOwner {
  readonly id: AccountId;
  readonly address: string;
}

/** A mailbox as one user may use it. */
export interface AccessibleMailbox {
  readonly owner: MailboxOwner;
  readonly mailbox: MailboxRecord;
  readonly rights: RightSet;
  readonly isOwn: boolean;
}

/** What an operation needs: one right, any right MYRIGHTS accepts (§4 "Any"), or only to see it. */
export type AccessNeed = Right | "any" | "visible";

const RIGHT_NAMES: Readonly<Record<Right, string>> = {
  l: "lookup",
  r: "read",
  s: "seen",
  w: "write",
  i: "insert",
  p: "post",
  k: "create",
  x: "delete",
  t: "delete-messages",
  e: "expunge",
  a: "administer",
};

export function noPermission(right: Right, what = "this mailbox"): MailError {
  return new MailError("noPerm", `Permission denied: no ${RIGHT_NAMES[right]} (${right}) right on ${what}`);
}

export class MailboxAccess {
  constructor(private readonly store: MailStore) {}

  /** The account of an address (a shared mailbox's owner), or undefined. */
  async findOwner(address: string): Promise<MailboxOwner | undefined> {
    const account = await this.store.accounts.findByAddress(address.toLowerCase());
    return account && { id: account.id, address: account.address };
  }

  /** The user's rights on one mailbox of `ownerId`, read from the store now. */
  async rightsOn(user: AccessUser, ownerId: AccountId, mailboxId: MailboxId): Promise<RightSet> {
    if (ownerId === user.id) return effectiveRights(true, user.address, []);
    return effectiveRights(false, user.address, await this.store.acl.list(ownerId, mailboxId));
  }

  /**
   * The mailbox `name` of `owner` with the user's rights, when `need` is met. Rejects with nonexistent
   * for a missing or invisible mailbox, noPerm for a visible one without the right.
   */
  async open(
    user: AccessUser,
    owner: MailboxOwner,
    name: string,
    need: AccessNeed,
  ): Promise<AccessibleMailbox> {
    const canonical = normalizeMailboxName(name);
    const mailbox = await this.store.mailboxes.findByName(owner.id, canonical);
    const missing = () => new MailError("nonexistent", `Mailbox ${name} does not exist`);
    if (!mailbox) throw missing();
    const isOwn = owner.id === user.id;
    const rights = await this.rightsOn(user, owner.id, mailbox.id);
    const isAllowed = need === "any" ? canAskRights(rights) : canSeeMailbox(rights);
    if (!isAllowed) throw missing();
    if (need !== "any" && need !== "visible" && !rights.has(need)) throw noPermission(need);
    return { owner, mailbox, rights, isOwn };
  }

  /**
   * §4 CREATE: the k right on the nearest existing parent of `name` in the owner's account. Only the
   * owner creates at the top level. Returns that parent (whose ACL the new mailbox inherits), or null.
   */
  async checkCreate(user: AccessUser, owner: MailboxOwner, name: string): Promise<MailboxRecord | null> {
    const canonical = normalizeMailboxName(name);
    for (const parentName of parentNames(canonical).reverse()) {
      const parent = await this.store.mailboxes.findByName(owner.id, parentName);
      if (!parent) continue;
      if (owner.id !== user.id) {
        const rights = await this.rightsOn(user, owner.id, parent.id);
        if (!rights.has("k")) throw noPermission("k", `the parent of ${name}`);
      }
      return parent;
    }
    if (owner.id !== user.id) throw noPermission("k", `the parent of ${name}`);
    return null;
  }

  /** §4 CREATE: "it SHOULD inherit the ACL from the parent mailbox". */
  async inheritAcl(owner: MailboxOwner, parent: MailboxRecord, created: MailboxRecord): Promise<void> {
    for (const entry of await this.store.acl.list(owner.id, parent.id)) {
      await this.store.acl.set(owner.id, created.id, entry.identifier, entry.rights);
    }
  }

  /** Mailboxes of other accounts the user may list (l), with the user's rights, by owner then name. */
  async sharedWith(user: AccessUser): Promise<AccessibleMailbox[]> {
    const grants = await this.store.acl.listGrants(
      [user.address.toLowerCase(), ...ANYONE_IDENTIFIERS],
      user.id,
    );
    const byMailbox = new Map<MailboxId, { grant: (typeof grants)[number]; entries: AclEntry[] }>();
    for (const grant of grants) {
      const seen = byMailbox.get(grant.mailbox.id);
      if (seen) seen.entries.push(grant);
      else byMailbox.set(grant.mailbox.id, { grant, entries: [grant] });
    }
    const result: AccessibleMailbox[] = [];
    for (const { grant, entries } of byMailbox.values()) {
      const rights = effectiveRights(false, user.address, entries);
      if (!rights.has("l")) continue;
      const owner = { id: grant.mailbox.accountId, address: grant.ownerAddress };
      result.push({ owner, mailbox: grant.mailbox, rights, isOwn: false });
    }
    return result;
  }

  /** The stored ACL of a mailbox the user administers (a). */
  getAcl(target: AccessibleMailbox): Promise<AclEntry[]> {
    return this.store.acl.list(target.owner.id, target.mailbox.id);
  }

  /**
   * Checks an identifier SETACL/DELETEACL/LISTRIGHTS may name: "anyone", "authenticated" or an existing
   * account's address (lower-cased). Rejects negative rights (§2: optional) and the owner, whose rights
   * are fixed, with cannot; unknown users with nonexistent.
   */
  async checkIdentifier(owner: MailboxOwner, identifier: string): Promise<string> {
    if (identifier.startsWith("-")) {
      throw new MailError("cannot", "Negative rights are not supported");
    }
    const lower = identifier.toLowerCase();
    if ((ANYONE_IDENTIFIERS as readonly string[]).includes(lower)) return lower;
    if (lower === owner.address || lower === "owner") {
      throw new MailError("cannot", "The owner always has all rights on their mailboxes");
    }
    if (!(await this.findOwner(lower))) throw new MailError("nonexistent", `No such user: ${identifier}`);
    return lower;
  }

  /** SETACL (§3.1) on a mailbox the user administers; returns the identifier's new rights. */
  async setRights(
    target: AccessibleMailbox,
    identifier: string,
    modification: RightsModification,
  ): Promise<string> {
    const id = await this.checkIdentifier(target.owner, identifier);
    const entries = await this.getAcl(target);
    const current = parseRights(entries.find((e) => e.identifier === id)?.rights ?? "") ?? new Set<Right>();
    const rights = canonicalRights(applyModification(current, modification));
    await this.store.acl.set(target.owner.id, target.mailbox.id, id, rights);
    return rights;
  }

  /** DELETEACL (§3.2): removes the identifier's entry, if any. */
  async deleteRights(target: AccessibleMailbox, identifier: string): Promise<void> {
    const id = await this.checkIdentifier(target.owner, identifier);
    await this.store.acl.set(target.owner.id, target.mailbox.id, id, "");
  }
}

// Mailbox/set in an account shared with the user (shared-accounts.ts): RFC 4314 §4 as IMAP applies it
// (src/mail/access) — create needs k on the parent and inherits its ACL, rename needs x on the mailbox and
// k on the new parent, destroy x; only the owner creates or moves mailboxes at the top level. Rights are
// read at each step, so a mailbox created earlier in the same call is seen with its inherited rights.
// Roles and subscriptions are the owner's, not the user's to change here.

import { MailError } from "../kit/mail-error.js";
import { MailboxAccess, type MailboxOwner, noPermission } from "../mail/access/mailbox-access.js";
import type { MailboxRecord } from "../store/mail-store.js";
import type { JmapContext } from "./jmap-context.js";

export class SharedMailboxRules {
  readonly #access: MailboxAccess;
  readonly #user: { readonly id: MailboxOwner["id"]; readonly address: string };
  readonly #owner: MailboxOwner;

  private constructor(ctx: JmapContext & { readonly shared: NonNullable<JmapContext["shared"]> }) {
    this.#access = new MailboxAccess(ctx.services.store);
    this.#user = { id: ctx.shared.user.id, address: ctx.shared.user.address };
    this.#owner = { id: ctx.account.id, address: ctx.account.address };
  }

  /** The rules of a shared account's context; null for the user's own account (no checks). */
  static of(ctx: JmapContext): SharedMailboxRules | null {
    return ctx.shared === undefined ? null : new SharedMailboxRules({ ...ctx, shared: ctx.shared });
  }

  /** The mailboxes the user may list (l), as Mailbox/get shows them; others do not exist for them. */
  async visible(all: readonly MailboxRecord[]): Promise<MailboxRecord[]> {
    const seen: MailboxRecord[] = [];
    for (const mailbox of all) if ((await this.#rights(mailbox)).has("l")) seen.push(mailbox);
    return seen;
  }

  /**
   * Properties that are the owner's: a role (special use), and the subscription (a shared mailbox shows
   * isSubscribed false, so only false is accepted, and changes nothing).
   */
  checkProperties(props: Readonly<Record<string, unknown>>): void {
    if ("role" in props)
      throw new MailError("noPerm", "Permission denied: the role of a shared mailbox is its owner's");
    if (props.isSubscribed === true) {
      throw new MailError("noPerm", "Permission denied: shared mailboxes cannot be subscribed to over JMAP");
    }
  }

  /** CREATE or the target of a RENAME: k on the nearest parent, never the top level; returns that parent. */
  checkCreate(name: string): Promise<MailboxRecord | null> {
    return this.#access.checkCreate(this.#user, this.#owner, name);
  }

  /** A new mailbox takes its parent's ACL (RFC 4314 §4 CREATE), so the user sees what they created. */
  inheritAcl(parent: MailboxRecord | null, created: MailboxRecord): Promise<void> {
    return parent === null ? Promise.resolve() : this.#access.inheritAcl(this.#owner, parent, created);
  }

  /** RENAME and DELETE: the x right on the mailbox itself. */
  async requireDeleteRight(mailbox: MailboxRecord): Promise<void> {
    if (!(await this.#rights(mailbox)).has("x")) throw noPermission("x", mailbox.name);
  }

  #rights(mailbox: MailboxRecord) {
    return this.#access.rightsOn(this.#user, this.#owner.id, mailbox.id);
  }
}

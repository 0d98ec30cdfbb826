// Mailbox sharing for administrators, shared by the CLI and (later) the admin HTTP API: the RFC 4314 ACL
// of one account's mailbox, read and changed as its owner would (through mail/access, so the rules of
// IMAP SETACL hold: known rights only, c/d expanded, no negative rights, the owner's rights fixed).
// A team mailbox like sales@ is an account whose folders are granted to several users this way.
import { MailError } from "../kit/mail-error.js";
import type { AccessibleMailbox, MailboxAccess } from "../mail/access/mailbox-access.js";
import { ALL_RIGHTS, formatRights, parseRights, parseRightsModification } from "../mail/access/rights.js";

/** One line of a mailbox's ACL as listings show it (rights with the virtual c and d, RFC 4314 §2.1.1). */
export interface AclListing {
  readonly identifier: string;
  readonly rights: string;
  readonly isOwner: boolean;
}

export class AclAdmin {
  constructor(private readonly access: MailboxAccess) {}

  /** The ACL of the owner's mailbox, the owner first. */
  async get(ownerAddress: string, mailboxName: string): Promise<AclListing[]> {
    const target = await this.#open(ownerAddress, mailboxName);
    const entries = await this.access.getAcl(target);
    return [
      { identifier: target.owner.address, rights: formatRights(ALL_RIGHTS), isOwner: true },
      ...entries.map((e) => ({
        identifier: e.identifier,
        rights: formatRights(parseRights(e.rights) ?? new Set()),
        isOwner: false,
      })),
    ];
  }

  /** SETACL as the owner: `rights` replaces, `+rights` adds, `-rights` removes. Returns the new rights. */
  async set(ownerAddress: string, mailboxName: string, identifier: string, rights: string): Promise<string> {
    const modification = parseRightsModification(rights);
    if (modification === null) {
      throw new MailError(
        "invalidInput",
        `Unknown right in "${rights}"; rights are letters of lrswipkxtea (and c, d)`,
      );
    }
    const target = await this.#open(ownerAddress, mailboxName);
    const canonical = await this.access.setRights(target, identifier, modification);
    return formatRights(parseRights(canonical) ?? new Set());
  }

  /** DELETEACL as the owner: the identifier loses every right on the mailbox. */
  async delete(ownerAddress: string, mailboxName: string, identifier: string): Promise<void> {
    await this.access.deleteRights(await this.#open(ownerAddress, mailboxName), identifier);
  }

  async #open(ownerAddress: string, mailboxName: string): Promise<AccessibleMailbox> {
    const owner = await this.access.findOwner(ownerAddress);
    if (!owner) throw new MailError("nonexistent", `No such account: ${ownerAddress}`);
    return this.access.open(owner, owner, mailboxName, "a");
  }
}

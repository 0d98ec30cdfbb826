// Mailbox use cases every protocol shares: list, create (with missing parents), rename, delete,
// subscribe. Names are validated here once; the store below only persists.
import type { AccountId } from "../kit/ids.js";
import { MailError } from "../kit/mail-error.js";
import type { MailboxRecord, MailStore, SpecialUse } from "../store/mail-store.js";
import { HIERARCHY_DELIMITER, normalizeMailboxName, parentNames } from "./mailbox-name.js";

export class MailboxService {
  constructor(private readonly store: MailStore) {}

  list(accountId: AccountId): Promise<MailboxRecord[]> {
    return this.store.mailboxes.list(accountId);
  }

  async find(accountId: AccountId, name: string): Promise<MailboxRecord | undefined> {
    return this.store.mailboxes.findByName(accountId, normalizeMailboxName(name));
  }

  async require(accountId: AccountId, name: string): Promise<MailboxRecord> {
    const mailbox = await this.find(accountId, name);
    if (!mailbox) throw new MailError("nonexistent", `Mailbox ${name} does not exist`);
    return mailbox;
  }

  /** Creates the mailbox and any missing parents (RFC 9051 §6.3.4: CREATE "a/b" implies "a"). */
  async create(
    accountId: AccountId,
    name: string,
    specialUse: SpecialUse | null = null,
  ): Promise<MailboxRecord> {
    const canonical = normalizeMailboxName(name);
    if (await this.store.mailboxes.findByName(accountId, canonical)) {
      throw new MailError("alreadyExists", `Mailbox ${canonical} already exists`);
    }
    await this.#createParents(accountId, canonical);
    if (specialUse !== null) await this.#ensureSpecialUseFree(accountId, specialUse);
    return this.store.mailboxes.create(accountId, canonical, specialUse);
  }

  async rename(accountId: AccountId, from: string, to: string): Promise<MailboxRecord> {
    const source = await this.require(accountId, from);
    const target = normalizeMailboxName(to);
    if (await this.store.mailboxes.findByName(accountId, target)) {
      throw new MailError("alreadyExists", `Mailbox ${target} already exists`);
    }
    await this.#createParents(accountId, target);
    return this.store.mailboxes.rename(accountId, source.id, target);
  }

  /** Deletes a mailbox that has no children (Dovecot's rule; RFC 9051 §6.3.5 leaves it open). */
  async delete(accountId: AccountId, name: string): Promise<void> {
    const mailbox = await this.require(accountId, name);
    const prefix = mailbox.name + HIERARCHY_DELIMITER;
    const mailboxes = await this.store.mailboxes.list(accountId);
    if (mailboxes.some((m) => m.name.startsWith(prefix))) {
      throw new MailError("hasChildren", `Mailbox ${mailbox.name} has children; delete them first`);
    }
    await this.store.mailboxes.delete(accountId, mailbox.id);
  }

  async setSubscribed(accountId: AccountId, name: string, subscribed: boolean): Promise<void> {
    await this.store.mailboxes.setSubscribed(accountId, normalizeMailboxName(name), subscribed);
  }

  async #createParents(accountId: AccountId, name: string): Promise<void> {
    for (const parent of parentNames(name)) {
      if (!(await this.store.mailboxes.findByName(accountId, parent))) {
        await this.store.mailboxes.create(accountId, parent, null).catch((error: unknown) => {
          // Another session created it in between: that is what we wanted.
          if (!(error instanceof MailError && error.code === "alreadyExists")) throw error;
        });
      }
    }
  }

  /** RFC 6154 §5.3: one mailbox per special use in an account (USEATTR otherwise). */
  async #ensureSpecialUseFree(accountId: AccountId, specialUse: SpecialUse): Promise<void> {
    const mailboxes = await this.store.mailboxes.list(accountId);
    if (mailboxes.some((m) => m.specialUse === specialUse)) {
      throw new MailError("cannot", `Another mailbox already has the ${specialUse} role`);
    }
  }
}

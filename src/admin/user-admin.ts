// Account administration shared by the CLI and the admin HTTP API: add, list, change password,
// set quota, rename, delete. New accounts get the RFC 6154 special-use folders when configured.
import { describeStoredHash, hashPassword, type ScryptCost } from "../auth/password-hash.js";
import { DEFAULT_SCRAM_ITERATIONS, deriveScramKeys, formatScramKeys } from "../auth/scram-keys.js";
import { MailError } from "../kit/mail-error.js";
import type { MailboxService } from "../mail/mailbox-service.js";
import type { AccountRecord, MailStore, QuotaLimits, SpecialUse } from "../store/mail-store.js";

/** The folders every new account gets (issue "IMAP server": Drafts, Sent, Trash, Junk, Archive). */
export const DEFAULT_FOLDERS: readonly { name: string; specialUse: SpecialUse }[] = [
  { name: "Drafts", specialUse: "\\Drafts" },
  { name: "Sent", specialUse: "\\Sent" },
  { name: "Trash", specialUse: "\\Trash" },
  { name: "Junk", specialUse: "\\Junk" },
  { name: "Archive", specialUse: "\\Archive" },
];

// RFC 5321 §4.5.3.1: local part up to 64 octets, whole address up to 254; we accept the dot-atom form.
const ADDRESS_PATTERN =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
const MIN_PASSWORD_CHARS = 8;

export interface UserAdminOptions {
  readonly defaultQuota: QuotaLimits;
  readonly createSpecialUseFolders: boolean;
  readonly scryptCost?: ScryptCost;
  readonly scramIterations?: number;
}

export class UserAdmin {
  constructor(
    private readonly store: MailStore,
    private readonly mailboxes: MailboxService,
    private readonly options: UserAdminOptions,
  ) {}

  async add(address: string, password: string): Promise<AccountRecord> {
    validatePassword(password);
    const credential = await this.#credentialFor(password);
    const account = await this.#create(address, credential.passwordHash);
    await this.store.credentials.setPassword(account.id, credential);
    return account;
  }

  /**
   * Creates an account from a hash exported by another server (`{SHA512-CRYPT}$6$…`, `{BLF-CRYPT}…`, …,
   * or our own `$scrypt$…`), so users keep their password; the first login rehashes it to scrypt.
   */
  async addWithHash(address: string, passwordHash: string): Promise<AccountRecord> {
    validatePasswordHash(passwordHash);
    return this.#create(address, passwordHash);
  }

  async #create(address: string, passwordHash: string): Promise<AccountRecord> {
    const canonical = validateAddress(address);
    const account = await this.store.accounts.create({
      address: canonical,
      passwordHash,
      quota: this.options.defaultQuota,
    });
    if (this.options.createSpecialUseFolders) {
      for (const folder of DEFAULT_FOLDERS) {
        await this.mailboxes.create(account.id, folder.name, folder.specialUse);
        await this.mailboxes.setSubscribed(account.id, folder.name, true);
      }
    }
    return account;
  }

  list(): Promise<AccountRecord[]> {
    return this.store.accounts.list();
  }

  async require(address: string): Promise<AccountRecord> {
    const account = await this.store.accounts.findByAddress(address);
    if (!account) throw new MailError("nonexistent", `No account ${address}`);
    return account;
  }

  /** Sets the password, with its SCRAM-SHA-256 keys. App passwords stay valid (revoke them apart). */
  async setPassword(address: string, password: string): Promise<void> {
    validatePassword(password);
    const account = await this.require(address);
    await this.store.credentials.setPassword(account.id, await this.#credentialFor(password));
  }

  /** Sets an imported hash (see addWithHash); SCRAM keys follow at the next password login. */
  async setPasswordHash(address: string, passwordHash: string): Promise<void> {
    validatePasswordHash(passwordHash);
    const account = await this.require(address);
    await this.store.credentials.setPassword(account.id, { passwordHash, scramSha256: null });
  }

  async #credentialFor(password: string): Promise<{ passwordHash: string; scramSha256: string }> {
    const keys = await deriveScramKeys(password, this.options.scramIterations ?? DEFAULT_SCRAM_ITERATIONS);
    return {
      passwordHash: await hashPassword(password, this.options.scryptCost),
      scramSha256: formatScramKeys(keys),
    };
  }

  async setQuota(address: string, quota: QuotaLimits): Promise<AccountRecord> {
    const account = await this.require(address);
    await this.store.accounts.setQuota(account.id, quota);
    return this.require(address);
  }

  /**
   * Gives the account a new address, keeping its mail, UIDs, credentials and everything else keyed by its
   * id; aliases, catch-alls and ACL grants naming the old address follow (store rename). Refused when the
   * new address is taken (account or alias) or its domain is not served here.
   */
  async rename(oldAddress: string, newAddress: string): Promise<AccountRecord> {
    const account = await this.require(oldAddress);
    const canonical = validateAddress(newAddress);
    const domain = canonical.slice(canonical.lastIndexOf("@") + 1);
    if (!(await this.store.domains.isLocalDomain(domain))) {
      throw new MailError(
        "invalidInput",
        `${domain} is not served here; add it first with: postfach domain add ${domain}`,
      );
    }
    return this.store.accounts.rename(account.id, canonical);
  }

  async delete(address: string): Promise<void> {
    const account = await this.require(address);
    await this.store.accounts.delete(account.id);
  }
}

export function validateAddress(address: string): string {
  const trimmed = address.trim();
  if (trimmed.length > 254 || !ADDRESS_PATTERN.test(trimmed) || trimmed.includes("..")) {
    throw new MailError("invalidInput", `Not a valid address: ${JSON.stringify(address)}`);
  }
  return trimmed.toLowerCase();
}

function validatePassword(password: string): void {
  if ([...password].length < MIN_PASSWORD_CHARS) {
    throw new MailError("invalidInput", `Password must have at least ${MIN_PASSWORD_CHARS} characters`);
  }
  if (/[\r\n\u0000]/.test(password)) {
    throw new MailError("invalidInput", "Password must not contain line breaks or NUL");
  }
}

function validatePasswordHash(passwordHash: string): void {
  if (describeStoredHash(passwordHash).kind === "invalid") {
    throw new MailError(
      "invalidInput",
      "Unsupported password hash: expected $scrypt$…, {SHA512-CRYPT}, {SHA256-CRYPT}, {BLF-CRYPT}, {ARGON2ID} or {SSHA512} (within work bounds)",
    );
  }
}

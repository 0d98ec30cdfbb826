// Verifies credentials for every protocol (IMAP LOGIN/AUTHENTICATE, POP3 USER/PASS/AUTH, SMTP AUTH,
// HTTP): one path, so limits and auditing apply everywhere alike. Unknown users cost as much time as
// wrong passwords, so timing does not reveal which addresses exist.
import { MailError } from "../kit/mail-error.js";
import type { AccountRecord, MailStore } from "../store/mail-store.js";
import { verifyPassword } from "./password-hash.js";

export interface Credentials {
  /** The login name: the account's address. */
  readonly username: string;
  readonly password: string;
  /** SASL authorization identity; empty or equal to the username (no proxy authorization yet). */
  readonly authzid?: string;
}

export class Authenticator {
  constructor(private readonly store: MailStore) {}

  /** Returns the account, or throws MailError("authFailed") with one text for every kind of failure. */
  async authenticate(credentials: Credentials): Promise<AccountRecord> {
    const account = await this.store.accounts.findByAddress(credentials.username.trim());
    const isValid = await verifyPassword(credentials.password, account?.passwordHash ?? null);
    const authzid = credentials.authzid ?? "";
    const isSelf = authzid === "" || authzid.toLowerCase() === account?.address;
    if (!account || !isValid || !isSelf) throw new MailError("authFailed", "Authentication failed");
    return account;
  }
}

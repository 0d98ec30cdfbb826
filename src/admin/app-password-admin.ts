// Application passwords per account (issue 6): add with a label (the secret is returned once, only its
// hash is stored), list, revoke. Shared by the CLI and, later, the admin HTTP API.
import { generateAppPassword, hashAppPassword } from "../auth/app-password.js";
import { MailError } from "../kit/mail-error.js";
import type { AppPasswordRecord, MailStore } from "../store/mail-store.js";
import type { UserAdmin } from "./user-admin.js";

const MAX_LABEL_CHARS = 64;

export interface NewAppPasswordResult {
  readonly record: AppPasswordRecord;
  /** The secret in clear: show it to the user now, it cannot be recovered later. */
  readonly password: string;
}

export class AppPasswordAdmin {
  constructor(
    private readonly store: MailStore,
    private readonly users: UserAdmin,
  ) {}

  async add(address: string, label: string): Promise<NewAppPasswordResult> {
    const cleanLabel = validateLabel(label);
    const account = await this.users.require(address);
    const password = generateAppPassword();
    const record = await this.store.credentials.addAppPassword(account.id, {
      label: cleanLabel,
      passwordHash: hashAppPassword(password),
    });
    return { record, password };
  }

  async list(address: string): Promise<AppPasswordRecord[]> {
    const account = await this.users.require(address);
    return this.store.credentials.listAppPasswords(account.id);
  }

  /** Revokes by id or by label; logins with it fail from the next attempt on. */
  async revoke(address: string, idOrLabel: string): Promise<AppPasswordRecord> {
    const account = await this.users.require(address);
    const all = await this.store.credentials.listAppPasswords(account.id);
    const target = all.find((app) => app.id === idOrLabel) ?? all.find((app) => app.label === idOrLabel);
    if (!target)
      throw new MailError(
        "nonexistent",
        `No app password ${JSON.stringify(idOrLabel)} for ${account.address}`,
      );
    await this.store.credentials.revokeAppPassword(account.id, target.id);
    return target;
  }
}

function validateLabel(label: string): string {
  const trimmed = label.trim();
  if (trimmed === "" || [...trimmed].length > MAX_LABEL_CHARS || /\p{Cc}/u.test(trimmed)) {
    throw new MailError("invalidInput", `A label is 1 to ${MAX_LABEL_CHARS} printable characters`);
  }
  return trimmed;
}

// The composition root: config → store backend → services → listeners. The only file that picks a
// store backend; the CLI calls in here for everything that needs a store.

import { UserAdmin } from "./admin/user-admin.js";
import type { Config } from "./config/config.js";
import type { Logger } from "./kit/logger.js";
import { MailboxService } from "./mail/mailbox-service.js";
import { MessageService } from "./mail/message-service.js";
import type { MailStore } from "./store/mail-store.js";
import { openSqliteStore } from "./store/sqlite/sqlite-store.js";

/** Everything above the store, wired once. Protocols and the CLI receive what they need from here. */
export interface Services {
  readonly config: Config;
  readonly store: MailStore;
  readonly mailboxes: MailboxService;
  readonly messages: MessageService;
  readonly users: UserAdmin;
  close(): Promise<void>;
}

export class UnsupportedStoreError extends Error {
  override readonly name = "UnsupportedStoreError";
}

async function openStore(config: Config): Promise<MailStore> {
  if (config.store === "sqlite") return openSqliteStore({ dataDir: config.dataDir });
  throw new UnsupportedStoreError(
    `store = "${config.store}" is not supported yet; this version runs on the embedded store (store = "sqlite")`,
  );
}

export async function openServices(config: Config, _log?: Logger): Promise<Services> {
  const store = await openStore(config);
  const mailboxes = new MailboxService(store);
  const messages = new MessageService(store, { maxMessageBytes: config.limits.maxMessageBytes });
  const quota = {
    storageBytes: config.accounts.defaultQuotaBytes > 0 ? config.accounts.defaultQuotaBytes : null,
    messages: config.accounts.defaultQuotaMessages > 0 ? config.accounts.defaultQuotaMessages : null,
  };
  const users = new UserAdmin(store, mailboxes, {
    defaultQuota: quota,
    createSpecialUseFolders: config.accounts.specialUseFolders,
  });
  return { config, store, mailboxes, messages, users, close: () => store.close() };
}

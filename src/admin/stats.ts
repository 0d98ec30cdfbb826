// `postfach stats`: what the store holds, per account and in total: messages, bytes, folders, quota use.
// Read from the counters the store keeps with every write, so it costs one query per account.
import type { MailDeps } from "./import-report.js";

export interface AccountStats {
  readonly address: string;
  readonly messages: number;
  readonly bytes: number;
  readonly folders: number;
  readonly unseen: number;
  readonly quotaBytes: number | null;
  readonly quotaMessages: number | null;
}

export interface StoreStats {
  readonly accounts: readonly AccountStats[];
  readonly totalMessages: number;
  readonly totalBytes: number;
}

export async function collectStats(deps: MailDeps): Promise<StoreStats> {
  const accounts: AccountStats[] = [];
  for (const account of await deps.store.accounts.list()) {
    const mailboxes = await deps.mailboxes.list(account.id);
    accounts.push({
      address: account.address,
      messages: account.messageCount,
      bytes: account.usedBytes,
      folders: mailboxes.length,
      unseen: mailboxes.reduce((n, m) => n + m.unseenCount, 0),
      quotaBytes: account.quota.storageBytes,
      quotaMessages: account.quota.messages,
    });
  }
  return {
    accounts,
    totalMessages: accounts.reduce((n, a) => n + a.messages, 0),
    totalBytes: accounts.reduce((n, a) => n + a.bytes, 0),
  };
}

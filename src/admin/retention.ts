// `postfach user expunge --older-than`: retention. Removes an account's messages whose INTERNALDATE is
// older than a cutoff, in one folder or all of them, through the store's expunge (tombstones, quota,
// change notifications to open sessions), a bounded number of UIDs per transaction.
import type { AccountId, Uid } from "../kit/ids.js";
import { MailError } from "../kit/mail-error.js";
import type { MailDeps } from "./import-report.js";

const CHUNK = 500;
const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `90d`, `12w`, `36h` → milliseconds; throws invalidInput otherwise. */
export function parseAge(text: string): number {
  const match = /^(\d{1,6})([hdw])$/.exec(text.trim());
  if (!match) throw new MailError("invalidInput", `Not an age: ${JSON.stringify(text)} (e.g. 90d, 12w, 36h)`);
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

export interface RetentionResult {
  readonly folder: string;
  /** Messages older than the cutoff (removed, or that would be on a dry run). */
  readonly expunged: number;
  readonly bytes: number;
}

export async function expungeOlderThan(
  deps: MailDeps,
  accountId: AccountId,
  cutoffMs: number,
  options: { readonly folder: string | undefined; readonly dryRun: boolean },
): Promise<RetentionResult[]> {
  const all = await deps.mailboxes.list(accountId);
  const mailboxes = options.folder === undefined ? all : all.filter((m) => m.name === options.folder);
  if (mailboxes.length === 0) throw new MailError("nonexistent", `No folder ${options.folder ?? ""}`);
  const results: RetentionResult[] = [];
  for (const mailbox of mailboxes) {
    const old = (await deps.store.messages.listEntries(mailbox.id)).filter(
      (e) => e.internalDateMs < cutoffMs,
    );
    let expunged = 0;
    let bytes = 0;
    for (let start = 0; start < old.length; start += CHUNK) {
      const chunk = old.slice(start, start + CHUNK);
      const uids: Uid[] = options.dryRun
        ? chunk.map((e) => e.uid)
        : await deps.store.messages.expunge(
            accountId,
            mailbox.id,
            chunk.map((e) => e.uid),
          );
      const removed = new Set<number>(uids);
      expunged += uids.length;
      bytes += chunk.filter((e) => removed.has(e.uid)).reduce((sum, e) => sum + e.size, 0);
    }
    results.push({ folder: mailbox.name, expunged, bytes });
  }
  return results;
}

// Evaluates a SearchQuery over a session's snapshot of one mailbox (ARCHITECTURE.md "search/") as
// search-plan.ts plans it: in-memory keys on the snapshot's entries first (so the result agrees with
// the flags the client was told about), then each content criterion asked of the store once.
import type { AccountId, EmailId, MailboxId } from "../../kit/ids.js";
import type { MailboxEntry, MailStore } from "../../store/mail-store.js";
import { planSearch } from "./search-plan.js";
import type { SearchQuery } from "./search-query.js";

/**
 * The entries (in their given order) that match `query`. `entries` are the snapshot's entries of the
 * mailbox `mailboxId` of `accountId`; an entry no longer in the store matches no content key.
 */
export async function searchMailbox(
  store: MailStore,
  _accountId: AccountId,
  mailboxId: MailboxId,
  entries: readonly MailboxEntry[],
  query: SearchQuery,
): Promise<MailboxEntry[]> {
  const plan = planSearch(query);
  const candidates = entries.filter(plan.prefilter);
  // When the in-memory keys leave nothing, the store is never asked.
  if (candidates.length === 0) return [];
  const answers: ReadonlySet<EmailId>[] = [];
  for (const criterion of plan.criteria)
    answers.push(await store.messages.matchEmails(mailboxId, [criterion]));
  return candidates.filter((entry) => plan.residual(entry, answers));
}

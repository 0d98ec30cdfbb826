// A search kept current while its mailbox changes (IMAP CONTEXT=SEARCH/SORT, RFC 5267 §4; usable by JMAP
// query changes too): after the first run, only changed or new entries are evaluated. The snapshot keys
// (flags, dates, size, UIDs) are checked on those entries alone; the store's answers to content keys
// are kept, because an email's content never changes, and asked again only when new emails arrive.
import type { EmailId, MailboxId } from "../../kit/ids.js";
import type { MailboxEntry, MailStore } from "../../store/mail-store.js";
import { planSearch, type SearchPlan } from "./search-plan.js";
import type { SearchQuery } from "./search-query.js";

export class LiveSearch {
  /** Emails whose content answers `#answers` already holds. */
  readonly #knownEmails: Set<EmailId>;

  private constructor(
    private readonly store: MailStore,
    private readonly mailboxId: MailboxId,
    private readonly plan: SearchPlan,
    private answers: ReadonlySet<EmailId>[],
    knownEmails: Set<EmailId>,
  ) {
    this.#knownEmails = knownEmails;
  }

  /** Runs `query` over the snapshot's `entries` (as searchMailbox does) and keeps it for updates. */
  static async start(
    store: MailStore,
    mailboxId: MailboxId,
    entries: readonly MailboxEntry[],
    query: SearchQuery,
  ): Promise<{ search: LiveSearch; matched: MailboxEntry[] }> {
    const plan = planSearch(query);
    const candidates = entries.filter(plan.prefilter);
    // As searchMailbox: when the snapshot keys leave nothing, the store is not asked (and no email is
    // known yet, so the first candidate to come will ask it).
    if (candidates.length === 0) {
      const none = plan.criteria.map(() => new Set<EmailId>());
      return { search: new LiveSearch(store, mailboxId, plan, none, new Set()), matched: [] };
    }
    const answers = await askStore(store, mailboxId, plan);
    const known = new Set(entries.map((entry) => entry.emailId));
    const search = new LiveSearch(store, mailboxId, plan, answers, known);
    return { search, matched: candidates.filter((entry) => plan.residual(entry, answers)) };
  }

  /**
   * Which of `entries` (new ones, or ones whose flags changed) match now. The store is asked only when
   * an entry that passes the snapshot keys has an email not seen before.
   */
  async match(entries: readonly MailboxEntry[]): Promise<MailboxEntry[]> {
    const candidates = entries.filter(this.plan.prefilter);
    if (candidates.length === 0) return [];
    const unknown = candidates.filter((entry) => !this.#knownEmails.has(entry.emailId));
    if (unknown.length > 0 && this.plan.criteria.length > 0) {
      this.answers = await askStore(this.store, this.mailboxId, this.plan);
    }
    for (const entry of unknown) this.#knownEmails.add(entry.emailId);
    return candidates.filter((entry) => this.plan.residual(entry, this.answers));
  }
}

async function askStore(
  store: MailStore,
  mailboxId: MailboxId,
  plan: SearchPlan,
): Promise<ReadonlySet<EmailId>[]> {
  const answers: ReadonlySet<EmailId>[] = [];
  for (const criterion of plan.criteria)
    answers.push(await store.messages.matchEmails(mailboxId, [criterion]));
  return answers;
}

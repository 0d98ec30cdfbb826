// The account's mail as JMAP sees it: Emails are the distinct EmailIds across every mailbox entry, with the
// mailboxes they are in; Threads group them by ThreadId. Built from the snapshot cache (kept current from
// the change log), so a call costs the changes since the last one rather than a read of every entry. In a
// shared account, only the mailboxes shared with the user, and entries only of those they may read.
import type { EmailId, MailboxId, ThreadId } from "../kit/ids.js";
import type { MailboxEntry, MailboxRecord } from "../store/mail-store.js";
import type { JmapContext } from "./jmap-context.js";
import { canReadItems } from "./shared-accounts.js";

export interface AccountMail {
  readonly mailboxes: readonly MailboxRecord[];
  readonly entriesByMailbox: ReadonlyMap<MailboxId, readonly MailboxEntry[]>;
  /** Every entry of each email, in mailbox list order. */
  readonly entriesByEmail: ReadonlyMap<EmailId, readonly MailboxEntry[]>;
  /** Email ids of each thread, oldest receivedAt first (RFC 8621 §3). */
  readonly emailsByThread: ReadonlyMap<ThreadId, readonly EmailId[]>;
}

export async function loadAccountMail(ctx: JmapContext): Promise<AccountMail> {
  const { store, snapshots } = ctx.services;
  const accountId = ctx.account.id;
  const mailboxes = (await store.mailboxes.list(accountId)).filter(
    (m) => ctx.shared === undefined || ctx.shared.rights.has(m.id),
  );
  const entriesByMailbox = new Map<MailboxId, readonly MailboxEntry[]>();
  const entriesByEmail = new Map<EmailId, MailboxEntry[]>();
  for (const mailbox of mailboxes) {
    // In a shared account, the emails of a mailbox the user may list but not read stay hidden.
    const snapshot = canReadItems(ctx, mailbox.id)
      ? await snapshots.open(accountId, mailbox.id).catch(() => null)
      : null;
    // A mailbox deleted between the list and the open simply has no entries now.
    const entries = snapshot?.entries ?? [];
    entriesByMailbox.set(mailbox.id, entries);
    for (const entry of entries) {
      const list = entriesByEmail.get(entry.emailId);
      if (list === undefined) entriesByEmail.set(entry.emailId, [entry]);
      else list.push(entry);
    }
  }
  const threads = new Map<ThreadId, EmailId[]>();
  for (const [emailId, entries] of entriesByEmail) {
    const threadId = (entries[0] as MailboxEntry).threadId;
    const list = threads.get(threadId);
    if (list === undefined) threads.set(threadId, [emailId]);
    else list.push(emailId);
  }
  for (const list of threads.values()) {
    list.sort(
      (a, b) => receivedAtOf(entriesByEmail.get(a)) - receivedAtOf(entriesByEmail.get(b)) || (a < b ? -1 : 1),
    );
  }
  return { mailboxes, entriesByMailbox, entriesByEmail, emailsByThread: threads };
}

/** An email's receivedAt: the earliest internal date among its entries. */
export function receivedAtOf(entries: readonly MailboxEntry[] | undefined): number {
  let earliest = Number.POSITIVE_INFINITY;
  for (const entry of entries ?? []) earliest = Math.min(earliest, entry.internalDateMs);
  return earliest === Number.POSITIVE_INFINITY ? 0 : earliest;
}

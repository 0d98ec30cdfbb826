// Mailbox/get (RFC 8621 §2.1, RFC 8620 §5.1): the account's mailboxes with their counts.
import type { MailboxId } from "../../kit/ids.js";
import type { MailboxRecord } from "../../store/mail-store.js";
import { coldAccountMailboxes, loadAccountMail, scheduleAccountMailBuild } from "../account-mail.js";
import { countMailboxesCold } from "../account-mail-cold.js";
import type { Args } from "../args.js";
import type { JmapContext } from "../jmap-context.js";
import {
  COUNT_PROPERTIES,
  MAILBOX_PROPERTIES,
  type MailboxCounts,
  mailboxCountsOf,
  toMailboxObject,
} from "../mailbox-object.js";
import { rightsIn } from "../shared-accounts.js";
import { pick, readGetRequest } from "../standard-get.js";
import { currentAccount, formatState } from "../state.js";

const KNOWN = new Set<string>(MAILBOX_PROPERTIES);
/** The counts of a mailbox not counted: only when no count was asked for (pick leaves them out). */
const NO_COUNTS: MailboxCounts = { totalEmails: 0, unreadEmails: 0, totalThreads: 0, unreadThreads: 0 };

export async function mailboxGet(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  const request = readGetRequest(ctx, args, KNOWN, MAILBOX_PROPERTIES);
  // The state is read first: anything that changes while the list is built shows in the next /changes.
  const state = formatState((await currentAccount(ctx)).highestModSeq);
  // Right after a server start the store counts (account-mail-cold.ts): a client's first look at an
  // account of 100,000 messages does not wait for the maps of every entry.
  const cold = await coldAccountMailboxes(ctx);
  const mail = cold === null ? await loadAccountMail(ctx) : null;
  const mailboxes = mail?.mailboxes ?? cold ?? [];
  // The owner's subscriptions mean nothing to a user a mailbox is shared with.
  const subscriptions = new Set(
    ctx.shared === undefined ? await ctx.services.store.mailboxes.listSubscriptions(ctx.account.id) : [],
  );
  const byName = new Map(mailboxes.map((m) => [m.name, m]));
  const byId = new Map(mailboxes.map((m) => [m.id as string, m]));
  const wanted = request.ids ?? mailboxes.map((m) => m.id as string);
  const isCounting = COUNT_PROPERTIES.some((p) => request.properties.includes(p));
  const coldCounts =
    cold === null || !isCounting
      ? new Map<MailboxId, MailboxCounts>()
      : await countMailboxesCold(
          ctx,
          cold.filter((m) => wanted.includes(m.id)),
        );
  if (cold !== null) scheduleAccountMailBuild(ctx);
  const countsOf = (mailbox: MailboxRecord): MailboxCounts =>
    mail === null
      ? (coldCounts.get(mailbox.id) ?? NO_COUNTS)
      : mailboxCountsOf(mail.entriesByMailbox.get(mailbox.id) ?? []);
  const list: Record<string, unknown>[] = [];
  const notFound: string[] = [];
  for (const id of wanted) {
    const mailbox = byId.get(id);
    if (mailbox === undefined) {
      notFound.push(id);
      continue;
    }
    const object = toMailboxObject(
      mailbox,
      byName,
      countsOf(mailbox),
      subscriptions,
      rightsIn(ctx, mailbox.id),
    );
    list.push(pick(object, request.properties));
  }
  return { accountId: request.accountId, state, list, notFound };
}

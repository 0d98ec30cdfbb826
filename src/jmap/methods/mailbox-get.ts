// Mailbox/get (RFC 8621 §2.1, RFC 8620 §5.1): the account's mailboxes with their counts.
import { loadAccountMail } from "../account-mail.js";
import type { Args } from "../args.js";
import type { JmapContext } from "../jmap-context.js";
import { MAILBOX_PROPERTIES, toMailboxObject } from "../mailbox-object.js";
import { rightsIn } from "../shared-accounts.js";
import { pick, readGetRequest } from "../standard-get.js";
import { currentAccount, formatState } from "../state.js";

const KNOWN = new Set<string>(MAILBOX_PROPERTIES);

export async function mailboxGet(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  const request = readGetRequest(ctx, args, KNOWN, MAILBOX_PROPERTIES);
  // The state is read first: anything that changes while the list is built shows in the next /changes.
  const state = formatState((await currentAccount(ctx)).highestModSeq);
  const mail = await loadAccountMail(ctx);
  // The owner's subscriptions mean nothing to a user a mailbox is shared with.
  const subscriptions = new Set(
    ctx.shared === undefined ? await ctx.services.store.mailboxes.listSubscriptions(ctx.account.id) : [],
  );
  const byName = new Map(mail.mailboxes.map((m) => [m.name, m]));
  const byId = new Map(mail.mailboxes.map((m) => [m.id as string, m]));
  const wanted = request.ids ?? mail.mailboxes.map((m) => m.id as string);
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
      mail.entriesByMailbox.get(mailbox.id) ?? [],
      subscriptions,
      rightsIn(ctx, mailbox.id),
    );
    list.push(pick(object, request.properties));
  }
  return { accountId: request.accountId, state, list, notFound };
}

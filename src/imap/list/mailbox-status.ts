// STATUS data of one mailbox (RFC 9051 §6.3.11, RFC 3501 RECENT, RFC 8438 SIZE, RFC 7889 APPENDLIMIT,
// RFC 7162 HIGHESTMODSEQ, RFC 8474 MAILBOXID, RFC 9208 DELETED-STORAGE), shared by STATUS and
// LIST-STATUS (RFC 5819).
import { asUid } from "../../kit/ids.js";
import type { MailboxRecord, MailStore } from "../../store/mail-store.js";
import type { CommandContext } from "../session/command-context.js";
import type { SelectedMailbox } from "../session/selected-mailbox.js";
import type { StatusItem } from "../wire/command.js";

/** Items that belong to an extension, and the capability that must be advertised to ask for them. */
const ITEM_CAPABILITY: Partial<Record<StatusItem, string>> = {
  HIGHESTMODSEQ: "CONDSTORE",
  MAILBOXID: "OBJECTID",
  APPENDLIMIT: "APPENDLIMIT",
  SIZE: "STATUS=SIZE",
  "DELETED-STORAGE": "QUOTA=RES-STORAGE",
};

/**
 * The first item whose extension this server does not advertise (a client must not send it: the item
 * is not in the grammar it was offered, so the command is BAD), or null.
 */
export function findUnadvertisedItem(
  items: readonly StatusItem[],
  capabilities: readonly string[],
): { readonly item: StatusItem; readonly capability: string } | null {
  for (const item of items) {
    const capability = ITEM_CAPABILITY[item];
    if (capability === undefined) continue;
    const isAdvertised = capabilities.some((c) => c === capability || c.startsWith(`${capability}=`));
    if (!isAdvertised) return { item, capability };
  }
  return null;
}

/** Where the numbers come from: the store's exact counts, plus the session's own \Recent claims. */
export interface StatusSource {
  readonly store: MailStore;
  readonly selected: SelectedMailbox | null;
  readonly maxMessageBytes: number;
}

export type StatusValue = { readonly item: StatusItem; readonly value: number | string };

/** The requested items in the order asked, each once. */
export async function readStatusItems(
  mailbox: MailboxRecord,
  items: readonly StatusItem[],
  source: StatusSource,
): Promise<StatusValue[]> {
  const values: StatusValue[] = [];
  for (const item of new Set(items)) {
    values.push({ item, value: await readItem(mailbox, item, source) });
  }
  return values;
}

async function readItem(
  mailbox: MailboxRecord,
  item: StatusItem,
  source: StatusSource,
): Promise<number | string> {
  switch (item) {
    case "MESSAGES":
      return mailbox.messageCount;
    case "UIDNEXT":
      return mailbox.uidNext;
    case "UIDVALIDITY":
      return mailbox.uidValidity;
    case "UNSEEN":
      return mailbox.unseenCount;
    case "DELETED":
      return mailbox.deletedCount;
    case "SIZE":
      return mailbox.totalBytes;
    case "RECENT":
      return countRecent(mailbox, source);
    case "HIGHESTMODSEQ":
      return mailbox.highestModSeq;
    case "APPENDLIMIT":
      return source.maxMessageBytes;
    case "MAILBOXID":
      return mailbox.id;
    case "DELETED-STORAGE":
      return countDeletedStorage(mailbox, source);
  }
}

/**
 * RFC 9208 §4.2 DELETED-STORAGE: what an EXPUNGE would free, in the 1024-octet units of the STORAGE
 * resource (rounded up, as GETQUOTA rounds usage). Entries are read only when something is \Deleted.
 */
async function countDeletedStorage(mailbox: MailboxRecord, source: StatusSource): Promise<number> {
  if (mailbox.deletedCount === 0) return 0;
  let bytes = 0;
  for (const entry of await source.store.messages.listEntries(mailbox.id)) {
    if (entry.flags.system.has("\\Deleted")) bytes += entry.size;
  }
  return Math.ceil(bytes / 1024);
}

/**
 * Messages no session has claimed as \Recent yet (UID at or above the floor), plus — for the mailbox
 * this session has selected — the ones this session holds as \Recent (Dovecot answers from the
 * selected view the same way).
 */
async function countRecent(mailbox: MailboxRecord, source: StatusSource): Promise<number> {
  let count = 0;
  const floor = mailbox.recentUidFloor;
  // The store can only list entries, so read the shorter UID range: a mailbox only IMAP4rev2 clients
  // open never has its floor raised, and then every message is recent without reading any.
  if (floor <= 1) count += mailbox.messageCount;
  else if (floor - 1 < mailbox.uidNext - floor) {
    const claimed = await source.store.messages.listEntries(mailbox.id, asUid(1), asUid(floor - 1));
    count += Math.max(0, mailbox.messageCount - claimed.length);
  } else if (floor < mailbox.uidNext) {
    const unclaimed = await source.store.messages.listEntries(mailbox.id, floor, asUid(mailbox.uidNext - 1));
    count += unclaimed.length;
  }
  const selected = source.selected;
  if (selected !== null && selected.view.mailbox.id === mailbox.id) count += selected.recentCount;
  return count;
}

/** The status source of a command's session. */
export function statusSourceOf(ctx: CommandContext): StatusSource {
  const state = ctx.session.state;
  return {
    store: ctx.services.store,
    selected: state.kind === "selected" ? state.selected : null,
    maxMessageBytes: ctx.services.maxMessageBytes,
  };
}

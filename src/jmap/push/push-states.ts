// The state of each data type a push event reports (RFC 8620 §7.1 StateChange, RFC 8621 §1.5): Email,
// Mailbox and Thread share the account's change counter (the state strings their /get and /changes
// return); EmailDelivery changes only when a message arrives in some mailbox (its UIDNEXT moves).
import type { AccountId } from "../../kit/ids.js";
import type { MailStore } from "../../store/mail-store.js";
import { formatState } from "../state.js";

export const PUSH_TYPES = ["Email", "Mailbox", "Thread", "EmailDelivery"] as const;
export type PushType = (typeof PUSH_TYPES)[number];

export type PushStates = Readonly<Record<PushType, string>>;

/** The account's states now; undefined when the account no longer exists. */
export async function readPushStates(
  store: MailStore,
  accountId: AccountId,
): Promise<PushStates | undefined> {
  const account = await store.accounts.get(accountId);
  if (account === undefined) return undefined;
  const mailboxes = await store.mailboxes.list(accountId);
  // Every arrival (delivery, APPEND, import, copy, move) takes a UID, so the sum of UIDNEXTs grows with it
  // and with nothing else that keeps the mailboxes (flag changes and expunges leave UIDNEXT alone).
  let arrivals = 0;
  for (const mailbox of mailboxes) arrivals += mailbox.uidNext - 1;
  const state = formatState(account.highestModSeq);
  return { Email: state, Mailbox: state, Thread: state, EmailDelivery: `d${arrivals}` };
}

/** The types of `wanted` whose state differs between `before` and `now` (with the new state). */
export function changedStates(
  before: PushStates,
  now: PushStates,
  wanted: ReadonlySet<PushType>,
): Partial<Record<PushType, string>> {
  const changed: Partial<Record<PushType, string>> = {};
  for (const type of PUSH_TYPES) {
    if (wanted.has(type) && before[type] !== now[type]) changed[type] = now[type];
  }
  return changed;
}

/** The RFC 8620 §7.3 `types` parameter: "*" (or absent) for all, else a comma list (unknown names ignored). */
export function parsePushTypes(text: string | null): ReadonlySet<PushType> {
  if (text === null || text.trim() === "*") return new Set(PUSH_TYPES);
  const names = new Set(text.split(",").map((name) => name.trim()));
  return new Set(PUSH_TYPES.filter((type) => names.has(type)));
}

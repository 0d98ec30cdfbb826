// The state of each data type a push event reports (RFC 8620 §7.1 StateChange, RFC 8621 §1.5): Email,
// Mailbox and Thread share the account's change counter (the state strings their /get and /changes
// return); EmailDelivery changes only when a message arrives in some mailbox (its UIDNEXT moves);
// EmailSubmission and Identity follow their jmap_objects counters (Identity also the account's addresses),
// VacationResponse the digest of the stored object — each the very string its /get answers.
import type { AccountId } from "../../kit/ids.js";
import type { AccountRecord, MailStore } from "../../store/mail-store.js";
import { formatObjectState, SUBMISSION_TYPE } from "../email-submission.js";
import { identityState } from "../identity.js";
import { formatState } from "../state.js";
import { readVacationResponse, vacationStateOf } from "../vacation-response.js";

export const PUSH_TYPES = [
  "Email",
  "Mailbox",
  "Thread",
  "EmailDelivery",
  "EmailSubmission",
  "Identity",
  "VacationResponse",
] as const;
export type PushType = (typeof PUSH_TYPES)[number];

/** The types a shared account reports to the user it is shared with: its mail only (shared-accounts.ts). */
export const SHARED_PUSH_TYPES: ReadonlySet<PushType> = new Set<PushType>(["Email", "Mailbox", "Thread"]);

export type PushStates = Readonly<Partial<Record<PushType, string>>>;

/**
 * The account's states of the `wanted` types now (only those are read); undefined when the account no
 * longer exists.
 */
export async function readPushStates(
  store: MailStore,
  accountId: AccountId,
  wanted: ReadonlySet<PushType>,
): Promise<PushStates | undefined> {
  const account = await store.accounts.get(accountId);
  if (account === undefined) return undefined;
  const states: Partial<Record<PushType, string>> = {};
  const state = formatState(account.highestModSeq);
  for (const type of ["Email", "Mailbox", "Thread"] as const) if (wanted.has(type)) states[type] = state;
  if (wanted.has("EmailDelivery")) states.EmailDelivery = await deliveryState(store, account);
  if (wanted.has("EmailSubmission")) {
    states.EmailSubmission = formatObjectState(
      await store.jmapObjects.highestModSeq(accountId, SUBMISSION_TYPE),
    );
  }
  if (wanted.has("Identity")) states.Identity = await identityState(store, account);
  if (wanted.has("VacationResponse")) {
    states.VacationResponse = vacationStateOf(await readVacationResponse(store, account));
  }
  return states;
}

async function deliveryState(store: MailStore, account: AccountRecord): Promise<string> {
  // Every arrival (delivery, APPEND, import, copy, move) takes a UID, so the sum of UIDNEXTs grows with it
  // and with nothing else that keeps the mailboxes (flag changes and expunges leave UIDNEXT alone).
  let arrivals = 0;
  for (const mailbox of await store.mailboxes.list(account.id)) arrivals += mailbox.uidNext - 1;
  return `d${arrivals}`;
}

/** The types whose state differs between `before` and `now` (with the new state). */
export function changedStates(before: PushStates, now: PushStates): Partial<Record<PushType, string>> {
  const changed: Partial<Record<PushType, string>> = {};
  for (const type of PUSH_TYPES) {
    const state = now[type];
    if (state !== undefined && before[type] !== state) changed[type] = state;
  }
  return changed;
}

/** The RFC 8620 §7.3 `types` parameter: "*" (or absent) for all, else a comma list (unknown names ignored). */
export function parsePushTypes(text: string | null): ReadonlySet<PushType> {
  if (text === null || text.trim() === "*") return new Set(PUSH_TYPES);
  const names = new Set(text.split(",").map((name) => name.trim()));
  return new Set(PUSH_TYPES.filter((type) => names.has(type)));
}

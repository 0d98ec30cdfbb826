// The change event of a write that takes no modseq of the account's mail counter (a JMAP object such as an
// Identity or an EmailSubmission, store/mail-store.ts JmapObjectRepository): JMAP push re-reads its states.
import type { AccountId, ModSeq } from "../../kit/ids.js";
import type { ChangeEvent } from "../mail-store.js";

/** No mailbox and modseq 0: a session re-reads what it watches and finds its mail unchanged. */
export function objectChanged(accountId: AccountId): ChangeEvent {
  return { accountId, mailboxId: null, modSeq: 0 as ModSeq };
}

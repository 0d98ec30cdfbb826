// The POP3 session states of RFC 1939 §3: AUTHORIZATION (optionally after USER), TRANSACTION holding the
// maildrop snapshot and its lock, and UPDATE, entered only by QUIT from TRANSACTION.
import type { AccountRecord, MaildropLockHandle } from "../../store/mail-store.js";
import type { Maildrop } from "./maildrop.js";

export type SessionState =
  | { readonly kind: "authorization"; readonly username: string | null }
  | {
      readonly kind: "transaction";
      readonly account: AccountRecord;
      readonly maildrop: Maildrop;
      readonly lock: MaildropLockHandle;
    }
  | { readonly kind: "update" };

export type StateKind = SessionState["kind"];

export type TransactionState = Extract<SessionState, { kind: "transaction" }>;

export const initialState = (): SessionState => ({ kind: "authorization", username: null });

/** What the session loop does after a command. */
export type Outcome = "continue" | "close";

// The IMAP connection states of RFC 9051 §3 as a union: "selected" cannot exist without a mailbox.
import type { AccountRecord } from "../../store/mail-store.js";
import type { SelectedMailbox } from "./selected-mailbox.js";

export type SessionState =
  | { readonly kind: "notAuthenticated" }
  | { readonly kind: "authenticated"; readonly account: AccountRecord }
  | { readonly kind: "selected"; readonly account: AccountRecord; readonly selected: SelectedMailbox }
  | { readonly kind: "logout" };

export type SessionStateKind = SessionState["kind"];

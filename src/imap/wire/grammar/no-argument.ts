// Commands without arguments (RFC 9051 §6.1.1 CAPABILITY, §6.1.2 NOOP, §6.1.3 LOGOUT, §6.2.1 STARTTLS,
// §6.3.10 NAMESPACE, §6.3.13 IDLE, §6.4.1 CLOSE, §6.4.2 UNSELECT; RFC 3501 §6.4.1 CHECK; RFC 8437
// UNAUTHENTICATE).

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";
import type { Grammar } from "./grammar.js";

type NoArgumentName =
  | "capability"
  | "noop"
  | "logout"
  | "starttls"
  | "namespace"
  | "idle"
  | "check"
  | "close"
  | "unselect"
  | "unauthenticate";

/** A grammar for a command that takes nothing after its name. */
export function noArgument(name: NoArgumentName): Grammar {
  return (c: ArgumentCursor, tag: string): ImapCommand => {
    c.expectEnd();
    return { tag, name };
  };
}

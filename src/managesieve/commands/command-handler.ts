// A ManageSieve command handler: the states it runs in (RFC 5804 §2) and what it does with its arguments.
import type { Outcome, SessionContext, SessionState } from "../session/session-context.js";
import type { ManageSieveArg } from "../wire/managesieve-reader.js";

export interface CommandHandler {
  readonly states: readonly SessionState["kind"][];
  run(ctx: SessionContext, args: readonly ManageSieveArg[]): Promise<Outcome>;
}

export const ANY_STATE: readonly SessionState["kind"][] = ["notAuthenticated", "authenticated"];
export const NOT_AUTHENTICATED: readonly SessionState["kind"][] = ["notAuthenticated"];
export const AUTHENTICATED: readonly SessionState["kind"][] = ["authenticated"];

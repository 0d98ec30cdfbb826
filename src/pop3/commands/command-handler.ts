// The shape of a command handler: the RFC 1939 states it is valid in, checked by the dispatcher before
// `run`, and the run function typed to its own command variant.

import type { SessionContext } from "../session/session-context.js";
import type { Outcome, StateKind } from "../session/session-state.js";
import type { Pop3Command, Pop3CommandName } from "../wire/pop3-command.js";

export interface CommandHandler<N extends Pop3CommandName> {
  readonly states: readonly StateKind[];
  run(ctx: SessionContext, command: Extract<Pop3Command, { name: N }>): Promise<Outcome>;
}

/** One handler per command name: a command without a handler does not compile. */
export type CommandTable = { readonly [N in Pop3CommandName]: CommandHandler<N> };

export const AUTHORIZATION: readonly StateKind[] = ["authorization"];
export const TRANSACTION: readonly StateKind[] = ["transaction"];
export const ANY_STATE: readonly StateKind[] = ["authorization", "transaction"];

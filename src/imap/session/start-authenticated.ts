// The end of every IMAP login (LOGIN, AUTHENTICATE; RFC 9051 §6.2): takes the account's session slot
// (auth/session-registry.ts) and enters the authenticated state, or answers NO [LIMIT] (RFC 5530).
import type { AccountRecord } from "../../store/mail-store.js";
import { type CommandContext, type CommandOutcome, no, ok } from "./command-context.js";

export function startAuthenticated(
  ctx: CommandContext,
  account: AccountRecord,
  mechanism: string,
): CommandOutcome {
  const lease = ctx.services.sessions.tryAcquire(account.id, ctx.session.closed, () => ctx.session.kick());
  if (lease === null) {
    ctx.log.info({ account: account.address, mechanism }, "imap login refused: too many sessions");
    return no("Too many sessions for this account", { kind: "LIMIT" });
  }
  ctx.session.signIn(account, lease);
  ctx.log.info({ account: account.address, mechanism }, "imap login");
  return ok("Logged in", { kind: "CAPABILITY", capabilities: ctx.session.capabilities() });
}

// The end of every login path (USER/PASS, APOP, AUTH): RFC 1939 §4 says a successful login locks the
// maildrop and enters TRANSACTION. Failures are delayed, counted and answered with RFC 3206 [AUTH];
// a locked maildrop gets RFC 2449 [IN-USE], a too-early login [LOGIN-DELAY], an account at its session
// limit (auth/session-registry.ts) RFC 3206 [SYS/TEMP].
import { isMailError } from "../../kit/mail-error.js";
import type { AccountRecord } from "../../store/mail-store.js";
import { err, ok } from "../wire/pop3-reply.js";
import { Maildrop } from "./maildrop.js";
import type { SessionContext } from "./session-context.js";
import type { Outcome } from "./session-state.js";

/** Runs `authenticate` and, on success, opens the locked maildrop; replies in every case. */
export async function logIn(
  ctx: SessionContext,
  authenticate: () => Promise<AccountRecord>,
): Promise<Outcome> {
  ctx.state = { kind: "authorization", username: null };
  let account: AccountRecord;
  try {
    account = await authenticate();
  } catch (error) {
    if (isMailError(error) && error.code === "authFailed") return failLogin(ctx);
    throw error;
  }
  const { services, lock, loginDelay } = ctx.deps;
  const waitSeconds = loginDelay.remainingSeconds(account.id);
  if (waitSeconds > 0) {
    await ctx.reply(err(`Logins too frequent; wait ${waitSeconds} seconds`, "LOGIN-DELAY"));
    return "continue";
  }
  const session = services.sessions.tryAcquire(account.id, ctx.conn.signal, () => ctx.conn.kick());
  if (session === null) {
    ctx.log.info({ account: account.address }, "POP3 login refused: too many sessions");
    await ctx.reply(err("Too many sessions for this account", "SYS/TEMP"));
    return "continue";
  }
  const handle = await lock.tryAcquire(account.id, ctx.conn.id);
  if (handle === null) {
    session.release();
    ctx.log.info({ account: account.address }, "POP3 login refused: maildrop in use");
    await ctx.reply(err("Maildrop is in use by another POP3 session", "IN-USE"));
    return "continue";
  }
  try {
    const inbox = await services.mailboxes.require(account.id, "INBOX");
    const maildrop = await Maildrop.open(services.store, services.snapshots, inbox, ctx.conn.signal);
    loginDelay.record(account.id);
    ctx.state = { kind: "transaction", account, maildrop, lock: handle };
  } catch (error) {
    handle.release();
    session.release();
    throw error;
  }
  ctx.log = ctx.conn.log.child({ account: account.address });
  const { count, octets } = ctx.transaction.maildrop.stat();
  ctx.log.info({ messages: count }, "POP3 login");
  await ctx.reply(ok(`Logged in, ${count} messages (${octets} octets)`));
  return "continue";
}

/** A failed login: waits longer with each failure, then answers; closes after too many. */
export async function failLogin(ctx: SessionContext): Promise<Outcome> {
  ctx.authFailures++;
  const { authFailureDelayMs, maxAuthFailures } = ctx.deps.settings;
  ctx.log.info({ failures: ctx.authFailures }, "POP3 authentication failed");
  await sleep(authFailureDelayMs * ctx.authFailures, ctx.conn.signal);
  if (ctx.authFailures >= maxAuthFailures) {
    await ctx.reply(err("Authentication failed; too many attempts, closing", "AUTH"));
    return "close";
  }
  await ctx.reply(err("Authentication failed", "AUTH"));
  return "continue";
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

// Writes the \Seen flags RETR earned (Dovecot sets \Seen on RETR too), in one store call per batch, so a
// pipelined download of thousands of messages costs a few transactions rather than one per message.
// Batches are at most one a second while the client keeps sending (each is a durable commit whose cost
// is mostly per transaction: 100 commits of 100 flags cost several times one of 10,000); a session that
// waits for input after a quiet second writes at once, and QUIT and every other end write what is left.
import type { AccountId } from "../../kit/ids.js";
import type { FlagSet } from "../../store/mail-store.js";
import type { Maildrop } from "./maildrop.js";
import type { SessionContext } from "./session-context.js";

const SEEN: FlagSet = { system: new Set(["\\Seen"]), keywords: [] };

/** The shortest time between two batches of one session while commands keep coming. */
export const SEEN_BATCH_INTERVAL_MS = 1_000;

/** One session's \Seen writes: batched in time, one at a time, in the order they were earned. */
export class SeenWriter {
  #lastWriteMs = Number.NEGATIVE_INFINITY;
  #inFlight: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;

  /**
   * The session is about to wait for input. Writes the pending flags now when the last batch is a second
   * old; else once it is (a timer, so a client that goes quiet does not leave them unwritten). Failures
   * are logged, not thrown: the flags are a courtesy to IMAP clients, and the session goes on.
   */
  async beforeWait(ctx: SessionContext): Promise<void> {
    if (ctx.state.kind !== "transaction" || !ctx.state.maildrop.hasSeenPending) return;
    const { account, maildrop } = ctx.state;
    const waitMs = this.#lastWriteMs + SEEN_BATCH_INTERVAL_MS - Date.now();
    if (waitMs <= 0) return this.#writeLogged(ctx, account.id, maildrop);
    this.#timer ??= setTimeout(() => {
      this.#timer = null;
      void this.#writeLogged(ctx, account.id, maildrop);
    }, waitMs);
  }

  /** Writes every pending flag now, after any batch still in flight (QUIT, the end of the session). */
  async write(ctx: SessionContext, accountId: AccountId, maildrop: Maildrop): Promise<void> {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const previous = this.#inFlight;
    const current = previous.then(() => writeSeen(ctx, accountId, maildrop));
    // A failed batch is reported to its own caller; the next one still runs.
    this.#inFlight = current.catch(() => {});
    this.#lastWriteMs = Date.now();
    await current;
  }

  async #writeLogged(ctx: SessionContext, accountId: AccountId, maildrop: Maildrop): Promise<void> {
    try {
      await this.write(ctx, accountId, maildrop);
    } catch (error) {
      ctx.log.warn({ err: error }, "could not set \\Seen on retrieved messages");
    }
  }
}

async function writeSeen(ctx: SessionContext, accountId: AccountId, maildrop: Maildrop): Promise<void> {
  if (!maildrop.hasSeenPending) return;
  const uids = maildrop.takeSeenPending();
  const result = await ctx.deps.services.store.messages.updateFlags(accountId, maildrop.mailbox.id, uids, {
    operation: "add",
    flags: SEEN,
  });
  // One update takes one modseq; neither the expunge watch nor the next login need read it back.
  const modSeq = result.changed[0]?.modSeq;
  if (modSeq !== undefined && result.changed.every((entry) => entry.modSeq === modSeq))
    maildrop.noteOwnChange(modSeq);
  ctx.deps.services.snapshots.noteFlagChange(maildrop.mailbox.id, result.changed);
}

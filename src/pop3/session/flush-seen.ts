// Writes the \Seen flags RETR earned (Dovecot sets \Seen on RETR too), in one store call per batch, so a
// pipelined download of thousands of messages costs a few transactions rather than one per message.
import type { AccountId } from "../../kit/ids.js";
import type { FlagSet } from "../../store/mail-store.js";
import type { Maildrop } from "./maildrop.js";
import type { SessionContext } from "./session-context.js";

const SEEN: FlagSet = { system: new Set(["\\Seen"]), keywords: [] };

export async function flushSeen(
  ctx: SessionContext,
  accountId: AccountId,
  maildrop: Maildrop,
): Promise<void> {
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

// CONDSTORE and QRESYNC state of a session (RFC 7162 §3.1, §3.2.3): the first CONDSTORE enabling command
// (ENABLE, SELECT … (CONDSTORE), FETCH MODSEQ or CHANGEDSINCE, STORE UNCHANGEDSINCE, SEARCH MODSEQ,
// STATUS HIGHESTMODSEQ) turns on MODSEQ in every later FETCH response; QRESYNC implies CONDSTORE.
import type { CommandContext } from "./command-context.js";

/**
 * Turns CONDSTORE on for the rest of the connection. With a mailbox selected, the client learns the
 * mailbox's HIGHESTMODSEQ at once (§3.1.2.1), unless changes it has not been told of are pending.
 */
export async function enableCondstore(ctx: CommandContext): Promise<void> {
  if (ctx.session.enabled.has("CONDSTORE")) return;
  ctx.session.enable("CONDSTORE");
  const state = ctx.session.state;
  if (state.kind !== "selected") return;
  const modSeq = state.selected.announcedHighestModSeq();
  if (modSeq === null) return;
  await ctx.send({
    kind: "condition",
    status: "OK",
    code: { kind: "HIGHESTMODSEQ", modSeq },
    text: "Highest",
  });
}

/** ENABLE QRESYNC (§3.2.3): VANISHED instead of EXPUNGE from now on, and CONDSTORE with it. */
export async function enableQresync(ctx: CommandContext): Promise<void> {
  ctx.session.enable("QRESYNC");
  await enableCondstore(ctx);
}

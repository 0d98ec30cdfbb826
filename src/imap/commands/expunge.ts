// EXPUNGE (RFC 9051 §6.4.3) and UID EXPUNGE (RFC 4315 §2.1): removes messages marked \Deleted (only
// those in the set for UID EXPUNGE) and announces each removal; \Deleted is re-checked at commit.
// With CONDSTORE on, the tagged OK carries the mailbox's new HIGHESTMODSEQ (RFC 7162, as in its EXPUNGE example).
import type { Uid } from "../../kit/ids.js";
// Needs the e right (RFC 4314 §4).
import { noPermission } from "../../mail/access/mailbox-access.js";
import type { MailboxEntry } from "../../store/mail-store.js";
import { type CommandContext, type CommandOutcome, no, ok, selectedOf } from "../session/command-context.js";
import { completeLimited, type LimitedMessages, limitMessages } from "../session/message-limit.js";
import { inChunks } from "../session/progress.js";
import type { CommandOf } from "../wire/command.js";

export async function expunge(ctx: CommandContext, command: CommandOf<"expunge">): Promise<CommandOutcome> {
  const selected = selectedOf(ctx);
  if (selected.isReadOnly) return no("Mailbox is read-only", { kind: "READ-ONLY" });
  if (!selected.rights.has("e")) throw noPermission("e");
  // See others' flag changes first, so \Deleted set elsewhere counts too.
  for (const response of await selected.collectUpdates(true, true)) await ctx.send(response);
  const deleted = (command.uid ? selected.resolve(command.set, true) : selected.view.entries).filter((e) =>
    e.flags.system.has("\\Deleted"),
  );
  // RFC 9738 limits UID EXPUNGE only: plain EXPUNGE has no set a client could narrow.
  const limited = command.uid
    ? (limitMessages(ctx, deleted, true, "EXPUNGE") as LimitedMessages<MailboxEntry>)
    : { entries: deleted, isLimited: false };
  const candidates = limited.entries.map((e) => e.uid);
  const removed: Uid[] = [];
  try {
    await inChunks(ctx, command.tag, candidates, async (chunk) => {
      const options = { onlyDeleted: true };
      removed.push(
        ...(await ctx.services.store.messages.expunge(
          selected.view.accountId,
          selected.view.mailboxId,
          chunk,
          options,
        )),
      );
    });
  } finally {
    for (const response of selected.expungedHere(removed)) await ctx.send(response);
  }
  if (selected.isCondstore) {
    // Read the log past this expunge, so the modseq reported is one whose changes were all announced.
    for (const response of await selected.collectUpdates(true, true)) await ctx.send(response);
    const modSeq = selected.announcedHighestModSeq();
    if (modSeq !== null) {
      const outcome = ok("EXPUNGE completed", { kind: "HIGHESTMODSEQ", modSeq });
      return completeLimited(ctx, outcome, limited.isLimited, candidates.length);
    }
  }
  return completeLimited(ctx, ok("EXPUNGE completed"), limited.isLimited, candidates.length);
}

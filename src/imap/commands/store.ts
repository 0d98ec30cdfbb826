// STORE and UID STORE (RFC 9051 §6.4.6) with RFC 7162 §3.1.3 UNCHANGEDSINCE: one atomic flag update in the
// store (a concurrent +FLAGS from another session is never lost), then the resulting flags of every
// message in the set unless .SILENT. Like Dovecot, a read-only mailbox ignores STORE with OK. Once
// CONDSTORE is on, each response carries UID and MODSEQ, and .SILENT still reports the new MODSEQ of
// every changed message (RFC 7162 §3.1, §3.1.3), so a client keeps its cached modseqs exact.
import type { Uid } from "../../kit/ids.js";
import type { MailboxEntry } from "../../store/mail-store.js";
import {
  accountOf,
  type CommandContext,
  type CommandOutcome,
  no,
  ok,
  selectedOf,
} from "../session/command-context.js";
import { enableCondstore } from "../session/condstore.js";
import { parseImapFlags } from "../session/imap-flags.js";
import { completeLimited, isOutcome, limitMessages } from "../session/message-limit.js";
import { inChunks } from "../session/progress.js";
import type { CommandOf } from "../wire/command.js";
import type { FetchResponseItem } from "../wire/response.js";
import { sequenceSetFromNumbers } from "../wire/seqset.js";

export async function store(ctx: CommandContext, command: CommandOf<"store">): Promise<CommandOutcome> {
  const account = accountOf(ctx);
  const selected = selectedOf(ctx);
  const flags = parseImapFlags(command.flags);
  const limited = limitMessages(ctx, selected.resolve(command.set, command.uid), command.uid, "STORE");
  if (isOutcome(limited)) return limited;
  const entries = limited.entries;
  if (command.unchangedSince !== null) await enableCondstore(ctx);
  if (selected.isReadOnly) {
    if (command.unchangedSince !== null) return no("CONDSTORE failed: Mailbox is read-only");
    return ok("Store ignored with read-only mailbox");
  }
  const changedEntries: MailboxEntry[] = [];
  const refused: Uid[] = [];
  const update = {
    operation: command.action,
    flags,
    ...(command.unchangedSince !== null ? { unchangedSince: command.unchangedSince } : {}),
  };
  await inChunks(ctx, command.tag, entries, async (chunk) => {
    const uids = chunk.map((e) => e.uid);
    const part = await ctx.services.store.messages.updateFlags(
      account.id,
      selected.view.mailboxId,
      uids,
      update,
    );
    changedEntries.push(...part.changed);
    refused.push(...part.conflicts);
  });
  const result = { changed: changedEntries, conflicts: refused };
  selected.applyOwnChanges(result.changed);
  const conflicts = new Set<Uid>(result.conflicts);
  const isCondstore = selected.isCondstore;
  if (!command.silent || isCondstore) {
    const changed = new Map<Uid, MailboxEntry>(result.changed.map((e) => [e.uid, e]));
    for (const original of entries) {
      if (conflicts.has(original.uid)) continue;
      const updated = changed.get(original.uid);
      if (command.silent && updated === undefined) continue;
      const entry = updated ?? original;
      const items: FetchResponseItem[] = [];
      if (!command.silent) items.push({ kind: "FLAGS", flags: selected.flagsOf(entry) });
      if (command.uid || isCondstore) items.push({ kind: "UID", uid: entry.uid });
      if (isCondstore) items.push({ kind: "MODSEQ", modSeq: entry.modSeq });
      await ctx.send({ kind: "fetch", sequence: selected.view.positionOf(entry.uid), items });
    }
  }
  if (conflicts.size === 0) {
    return completeLimited(ctx, ok("STORE completed"), limited.isLimited, entries.length);
  }
  const failed = entries
    .filter((e) => conflicts.has(e.uid))
    .map((e) => (command.uid ? e.uid : selected.view.positionOf(e.uid)));
  return completeLimited(
    ctx,
    ok("Conditional STORE failed", { kind: "MODIFIED", set: sequenceSetFromNumbers(failed) }),
    limited.isLimited,
    entries.length,
  );
}

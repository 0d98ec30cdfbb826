// STORE and UID STORE (RFC 9051 §6.4.6) with RFC 7162 §3.1.3 UNCHANGEDSINCE: one atomic flag update in the
// store (a concurrent +FLAGS from another session is never lost), then the resulting flags of every
// message in the set unless .SILENT. Like Dovecot, a read-only mailbox ignores STORE with OK. Once
// CONDSTORE is on, each response carries UID and MODSEQ, and .SILENT still reports the new MODSEQ of
// every changed message (RFC 7162 §3.1, §3.1.3), so a client keeps its cached modseqs exact.
// RFC 4314 §4: \Seen needs the s right, \Deleted t, every other flag w; a STORE changes the flags the
// user may change and leaves the others alone (NO [NOPERM] only when it may change none of them).
import type { Uid } from "../../kit/ids.js";
import { noPermission } from "../../mail/access/mailbox-access.js";
import { canChangeAllFlags, permittedFlags, type RightSet } from "../../mail/access/rights.js";
import type {
  FlagSet,
  FlagUpdate,
  FlagUpdateResult,
  MailboxEntry,
  SystemFlag,
} from "../../store/mail-store.js";
import { type CommandContext, type CommandOutcome, no, ok, selectedOf } from "../session/command-context.js";
import { enableCondstore } from "../session/condstore.js";
import { parseImapFlags } from "../session/imap-flags.js";
import { completeLimited, isOutcome, limitMessages } from "../session/message-limit.js";
import { inChunks } from "../session/progress.js";
import type { CommandOf } from "../wire/command.js";
import type { FetchResponseItem } from "../wire/response.js";
import { sequenceSetFromNumbers } from "../wire/seqset.js";

export async function store(ctx: CommandContext, command: CommandOf<"store">): Promise<CommandOutcome> {
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
  const rights = selected.rights;
  const isPartial = !canChangeAllFlags(rights);
  if (isPartial && !canChangeAny(flags, command.action, rights))
    throw noPermission(missingRight(flags, rights));
  const changedEntries: MailboxEntry[] = [];
  const refused: Uid[] = [];
  const update: FlagUpdate = {
    operation: command.action,
    flags: permittedFlags(flags, rights),
    ...(command.unchangedSince !== null ? { unchangedSince: command.unchangedSince } : {}),
  };
  const updateFlags = (u: FlagUpdate, only: readonly Uid[]) =>
    ctx.services.store.messages.updateFlags(selected.view.accountId, selected.view.mailboxId, only, u);
  await inChunks(ctx, command.tag, entries, async (chunk) => {
    const uids = chunk.map((e) => e.uid);
    if (!(isPartial && command.action === "replace")) {
      const part = await updateFlags(update, uids);
      changedEntries.push(...part.changed);
      refused.push(...part.conflicts);
      return;
    }
    // Replacing may only touch the flags the user may change: remove those not asked for, then add.
    const removed = await updateFlags(
      { ...update, operation: "remove", flags: removableFlags(chunk, flags, rights) },
      uids,
    );
    const conflicts = new Set<Uid>(removed.conflicts);
    const added = await updateFlags(
      { operation: "add", flags: update.flags },
      uids.filter((uid) => !conflicts.has(uid)),
    );
    const changed = new Map<Uid, MailboxEntry>(removed.changed.map((e) => [e.uid, e]));
    for (const entry of added.changed) changed.set(entry.uid, entry);
    changedEntries.push(...[...changed.values()].sort((a, b) => a.uid - b.uid));
    refused.push(...removed.conflicts);
  });
  const result: FlagUpdateResult = { changed: changedEntries, conflicts: refused };
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

/** Whether the user may change at least one of the flags named (a replace with none names every flag). */
function canChangeAny(flags: FlagSet, action: FlagUpdate["operation"], rights: RightSet): boolean {
  if (action === "replace") return rights.has("s") || rights.has("w") || rights.has("t");
  const kept = permittedFlags(flags, rights);
  return kept.system.size > 0 || kept.keywords.length > 0;
}

function missingRight(flags: FlagSet, rights: RightSet): "s" | "w" | "t" {
  if (flags.system.has("\\Seen") && !rights.has("s")) return "s";
  if (flags.system.has("\\Deleted") && !rights.has("t")) return "t";
  return "w";
}

/** What a partial-rights replace removes: the changeable flags of the entries that were not asked for. */
function removableFlags(entries: readonly MailboxEntry[], wanted: FlagSet, rights: RightSet): FlagSet {
  const system = new Set<SystemFlag>();
  const keywords = new Map<string, string>();
  for (const { flags } of entries) {
    for (const flag of flags.system) if (!wanted.system.has(flag)) system.add(flag);
    for (const keyword of flags.keywords) keywords.set(keyword.toLowerCase(), keyword);
  }
  for (const keyword of wanted.keywords) keywords.delete(keyword.toLowerCase());
  return permittedFlags({ system, keywords: [...keywords.values()] }, rights);
}

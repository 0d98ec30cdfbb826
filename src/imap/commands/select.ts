// SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3; RFC 3501 §6.3.1 for the rev1 RECENT/UNSEEN data):
// opens a snapshot of the mailbox and describes it; a failed SELECT still deselects the previous one.
// HIGHESTMODSEQ always (RFC 7162 §3.1.2.1: every mailbox keeps modseqs, so never NOMODSEQ); the
// CONDSTORE parameter (§3.1.8) and the QRESYNC resync (§3.2.5) with VANISHED (EARLIER) and FETCH.
// Needs the r right (RFC 4314 §4); READ-ONLY without any of i, e, s, w, t, and PERMANENTFLAGS limited
// to the flags the user may change (§5.1.1, §5.2).
import { isReadOnlyWith } from "../../mail/access/rights.js";
import type { FlagSet, MailboxEntry } from "../../store/mail-store.js";
import { accountOf, bad, type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";
import { enableCondstore } from "../session/condstore.js";
import { WELL_KNOWN_KEYWORDS } from "../session/imap-flags.js";
import { accessUserOf, openMailbox } from "../session/mailbox-access.js";
import { PERMANENT_SYSTEM_FLAGS, SelectedMailbox } from "../session/selected-mailbox.js";
import type { CommandOf, QresyncParameters } from "../wire/command.js";
import type { ImapResponse } from "../wire/response.js";
import { sequenceSetFromNumbers } from "../wire/seqset.js";

/** Changed messages per batch of FETCH responses in a QRESYNC resync. */
const RESYNC_BATCH = 1000;

export async function select(
  ctx: CommandContext,
  command: CommandOf<"select" | "examine">,
): Promise<CommandOutcome> {
  const account = accountOf(ctx);
  let isReadOnly = command.name === "examine";
  const isRev2 = ctx.session.enabled.has("IMAP4REV2");
  // RFC 7162 §3.2.5: the QRESYNC parameter is an error unless QRESYNC was enabled first.
  if (command.qresync !== null && !ctx.session.enabled.has("QRESYNC")) {
    return bad("QRESYNC parameter needs ENABLE QRESYNC first");
  }
  if (ctx.session.state.kind === "selected") {
    ctx.session.setState({ kind: "authenticated", account });
    await ctx.send({
      kind: "condition",
      status: "OK",
      code: { kind: "CLOSED" },
      text: "Previous mailbox closed",
    });
  }
  if (command.condstore) await enableCondstore(ctx);
  const target = await openMailbox(ctx, command.mailbox, "r");
  isReadOnly ||= isReadOnlyWith(target.rights);
  const selected = await SelectedMailbox.open(
    ctx.services.store,
    ctx.services.snapshots,
    { user: accessUserOf(ctx), service: ctx.services.access },
    target,
    { isReadOnly, isRev2, enabled: ctx.session.enabled },
  );
  const { view } = selected;
  const keywords = keywordsInUse(view.entries);
  await ctx.send({ kind: "flags", flags: [...PERMANENT_SYSTEM_FLAGS, ...keywords] });
  const permanentFlags = selected.permanentFlags(PERMANENT_SYSTEM_FLAGS, keywords);
  await ctx.send({
    kind: "condition",
    status: "OK",
    code: { kind: "PERMANENTFLAGS", flags: permanentFlags },
    text: permanentFlags.length === 0 ? "No permanent flags permitted" : "Flags permitted",
  });
  await ctx.send({ kind: "exists", count: view.count });
  if (!isRev2) {
    await ctx.send({ kind: "recent", count: selected.recentCount });
    const firstUnseen = view.entries.findIndex((e) => !e.flags.system.has("\\Seen"));
    // [UNSEEN n] is a message number, which UIDONLY sessions are never sent (RFC 9586 §3).
    if (firstUnseen >= 0 && !ctx.session.enabled.has("UIDONLY")) {
      await ctx.send({
        kind: "condition",
        status: "OK",
        code: { kind: "UNSEEN", value: firstUnseen + 1 },
        text: `Message ${firstUnseen + 1} is first unseen`,
      });
    }
  }
  await ctx.send({
    kind: "condition",
    status: "OK",
    code: { kind: "UIDVALIDITY", value: view.mailbox.uidValidity },
    text: "UIDs valid",
  });
  await ctx.send({
    kind: "condition",
    status: "OK",
    code: { kind: "UIDNEXT", value: view.mailbox.uidNext },
    text: "Predicted next UID",
  });
  await ctx.send({
    kind: "condition",
    status: "OK",
    code: { kind: "HIGHESTMODSEQ", modSeq: view.highestModSeq },
    text: "Highest",
  });
  // RFC 8474 §4.2: the stable id, the same a JMAP client sees as Mailbox/id.
  await ctx.send({
    kind: "condition",
    status: "OK",
    code: { kind: "MAILBOXID", id: view.mailbox.id },
    text: "Mailbox id",
  });
  if (isRev2) {
    await ctx.send({ kind: "list", attributes: [], delimiter: "/", mailbox: selected.name });
  }
  // §3.2.5.1: with another UIDVALIDITY the client's cache is void; it gets no changes and resyncs fully.
  if (command.qresync !== null && command.qresync.uidValidity === view.mailbox.uidValidity) {
    await sendChangesSince(ctx, selected, command.qresync);
  }
  ctx.session.setState({ kind: "selected", account, selected });
  return ok(`${command.name === "examine" ? "EXAMINE" : "SELECT"} completed`, {
    kind: isReadOnly ? "READ-ONLY" : "READ-WRITE",
  });
}

/**
 * The QRESYNC resync: the UIDs expunged since the client's modseq as one VANISHED (EARLIER) (limited to
 * its known UIDs), then UID, FLAGS and MODSEQ of every message changed since. The sequence-match data
 * only helps servers that forget expunges; this one keeps every tombstone, so it is not needed.
 */
async function sendChangesSince(
  ctx: CommandContext,
  selected: SelectedMailbox,
  qresync: QresyncParameters,
): Promise<void> {
  const vanished = await selected.vanishedSince(qresync.modSeq, qresync.knownUids);
  if (vanished.length > 0) {
    await ctx.send({ kind: "vanished", isEarlier: true, uids: sequenceSetFromNumbers(vanished) });
  }
  const entries = selected.view.entries;
  let batch: ImapResponse[] = [];
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index] as MailboxEntry;
    if (entry.modSeq <= qresync.modSeq) continue;
    batch.push({
      kind: "fetch",
      sequence: index + 1,
      items: [
        { kind: "UID", uid: entry.uid },
        { kind: "FLAGS", flags: selected.flagsOf(entry) },
        { kind: "MODSEQ", modSeq: entry.modSeq },
      ],
    });
    if (batch.length >= RESYNC_BATCH) {
      await ctx.sendAll(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await ctx.sendAll(batch);
}

/** Keywords used in the mailbox plus the well-known ones, so clients offer them (RFC 9051 §7.3.5 FLAGS). */
function keywordsInUse(entries: readonly MailboxEntry[]): string[] {
  const byLower = new Map<string, string>(WELL_KNOWN_KEYWORDS.map((k) => [k.toLowerCase(), k]));
  // Entries share one FlagSet per distinct combination: each combination is looked at once.
  let previous: FlagSet | null = null;
  const seen = new Set<FlagSet>();
  for (const { flags } of entries) {
    if (flags === previous || flags.keywords.length === 0 || seen.has(flags)) continue;
    previous = flags;
    seen.add(flags);
    for (const keyword of flags.keywords) {
      if (!byLower.has(keyword.toLowerCase())) byLower.set(keyword.toLowerCase(), keyword);
    }
  }
  return [...byLower.values()];
}

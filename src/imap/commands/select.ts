// SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3; RFC 3501 §6.3.1 for the rev1 RECENT/UNSEEN data):
// opens a snapshot of the mailbox and describes it; a failed SELECT still deselects the previous one.
import type { FlagSet, MailboxEntry } from "../../store/mail-store.js";
import { accountOf, type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";
import { WELL_KNOWN_KEYWORDS } from "../session/imap-flags.js";
import { SelectedMailbox } from "../session/selected-mailbox.js";
import type { CommandOf } from "../wire/command.js";

const SYSTEM_FLAG_LIST = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"];

export async function select(
  ctx: CommandContext,
  command: CommandOf<"select" | "examine">,
): Promise<CommandOutcome> {
  const account = accountOf(ctx);
  const isReadOnly = command.name === "examine";
  const isRev2 = ctx.session.enabled.has("IMAP4REV2");
  if (ctx.session.state.kind === "selected") {
    ctx.session.setState({ kind: "authenticated", account });
    await ctx.send({
      kind: "condition",
      status: "OK",
      code: { kind: "CLOSED" },
      text: "Previous mailbox closed",
    });
  }
  const selected = await SelectedMailbox.open(
    ctx.services.store,
    ctx.services.snapshots,
    account,
    command.mailbox,
    {
      isReadOnly,
      isRev2,
    },
  );
  const { view } = selected;
  const keywords = keywordsInUse(view.entries);
  await ctx.send({ kind: "flags", flags: [...SYSTEM_FLAG_LIST, ...keywords] });
  await ctx.send({
    kind: "condition",
    status: "OK",
    code: { kind: "PERMANENTFLAGS", flags: isReadOnly ? [] : [...SYSTEM_FLAG_LIST, ...keywords, "\\*"] },
    text: isReadOnly ? "No permanent flags permitted" : "Flags permitted",
  });
  await ctx.send({ kind: "exists", count: view.count });
  if (!isRev2) {
    await ctx.send({ kind: "recent", count: selected.recentCount });
    const firstUnseen = view.entries.findIndex((e) => !e.flags.system.has("\\Seen"));
    if (firstUnseen >= 0) {
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
  if (isRev2) {
    await ctx.send({ kind: "list", attributes: [], delimiter: "/", mailbox: view.mailbox.name });
  }
  ctx.session.setState({ kind: "selected", account, selected });
  return ok(`${command.name === "examine" ? "EXAMINE" : "SELECT"} completed`, {
    kind: isReadOnly ? "READ-ONLY" : "READ-WRITE",
  });
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

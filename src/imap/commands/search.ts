// SEARCH and UID SEARCH (RFC 9051 §6.4.4, §6.4.9) with CHARSET, ESEARCH return options (RFC 4731),
// SAVE / `$` (RFC 5182), PARTIAL (RFC 9394) and UPDATE (RFC 5267 §4: the result kept live): the keys
// become a mail-layer SearchQuery evaluated over the session's snapshot.
import { updateRefusal } from "../search/search-contexts.js";
import { buildSearchReply } from "../search/search-reply.js";
import { searchSelected } from "../search/search-selected.js";
import { type CommandContext, type CommandOutcome, ok, selectedOf } from "../session/command-context.js";
import { completeLimited, limitSaved, limitSearch } from "../session/message-limit.js";
import type { CommandOf } from "../wire/command.js";

export async function search(ctx: CommandContext, command: CommandOf<"search">): Promise<CommandOutcome> {
  const selected = selectedOf(ctx);
  const isSave = command.returns?.includes("SAVE") ?? false;
  const isUpdate = command.returns?.includes("UPDATE") ?? false;
  const refusal = isUpdate ? updateRefusal(selected.contexts, command.tag, command.criteria) : null;
  try {
    const limited = limitSearch(ctx, selected, command.criteria, command.uid);
    if ("status" in limited) {
      if (isSave) selected.saveResult([]);
      return limited;
    }
    const criteria = limited.extraKey === null ? command.criteria : [...command.criteria, limited.extraKey];
    const result = await searchSelected(ctx, { ...command, criteria }, isUpdate && refusal === null);
    if ("status" in result) {
      if (isSave) selected.saveResult([]);
      return result;
    }
    const { view, matched, modSeq, live } = result;
    const reply = buildSearchReply({
      tag: command.tag,
      isUid: command.uid,
      returns: command.returns,
      partial: command.partial,
      isRev2: ctx.session.enabled.has("IMAP4REV2"),
      hits: matched.map((entry) => ({ uid: entry.uid, position: view.positionOf(entry.uid) })),
      modSeq,
    });
    const saved = reply.saved === null ? null : limitSaved(ctx, reply.saved);
    if (saved !== null) selected.saveResult(saved.entries);
    for (const response of reply.responses) await ctx.send(response);
    if (live !== null) selected.contexts.addSearch(command.tag, command.uid, live, matched);
    if (refusal !== null)
      await ctx.send({
        kind: "condition",
        status: "NO",
        code: { kind: "NOUPDATE", tag: command.tag },
        text: refusal,
      });
    const outcome = ok(`${command.uid ? "UID SEARCH" : "SEARCH"} completed`);
    if (saved?.isLimited)
      return { ...outcome, code: { kind: "LIMIT" }, text: "Saved result truncated (SAVELIMIT)" };
    return completeLimited(ctx, outcome, limited.extraKey !== null, null);
  } catch (error) {
    // RFC 5182 §2.1: a failed SEARCH with SAVE leaves `$` empty.
    if (isSave) selected.saveResult([]);
    throw error;
  }
}

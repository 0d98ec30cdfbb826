// SEARCH and UID SEARCH (RFC 9051 §6.4.4, §6.4.9) with CHARSET, ESEARCH return options (RFC 4731) and
// SAVE / `$` (RFC 5182): the keys become a mail-layer SearchQuery evaluated over the session's snapshot.
import { buildSearchReply } from "../search/search-reply.js";
import { searchSelected } from "../search/search-selected.js";
import { type CommandContext, type CommandOutcome, ok, selectedOf } from "../session/command-context.js";
import type { CommandOf } from "../wire/command.js";

export async function search(ctx: CommandContext, command: CommandOf<"search">): Promise<CommandOutcome> {
  const selected = selectedOf(ctx);
  const isSave = command.returns?.includes("SAVE") ?? false;
  try {
    const result = await searchSelected(ctx, command);
    if ("status" in result) {
      if (isSave) selected.saveResult([]);
      return result;
    }
    const { view, matched, modSeq } = result;
    const reply = buildSearchReply({
      tag: command.tag,
      isUid: command.uid,
      returns: command.returns,
      partial: command.partial,
      isRev2: ctx.session.enabled.has("IMAP4REV2"),
      hits: matched.map((entry) => ({ uid: entry.uid, position: view.positionOf(entry.uid) })),
      modSeq,
    });
    if (reply.saved !== null) selected.saveResult(reply.saved);
    for (const response of reply.responses) await ctx.send(response);
    // RFC 5267 §4.2: this server does not keep results up to date yet.
    if (command.returns?.includes("UPDATE"))
      await ctx.send({
        kind: "condition",
        status: "NO",
        code: { kind: "NOUPDATE", tag: command.tag },
        text: "Updates are not tracked",
      });
    return ok(`${command.uid ? "UID SEARCH" : "SEARCH"} completed`);
  } catch (error) {
    // RFC 5182 §2.1: a failed SEARCH with SAVE leaves `$` empty.
    if (isSave) selected.saveResult([]);
    throw error;
  }
}

// SORT and UID SORT (RFC 5256 §3, RFC 5957 DISPLAYFROM/DISPLAYTO) with ESORT's RETURN options (RFC 5267
// §3.2, answered as ESEARCH), SAVE (RFC 5182), PARTIAL (RFC 9394) and UPDATE (CONTEXT=SORT, RFC 5267
// §4): search as SEARCH does, then order the matches by the stored sort keys.
import { loadSortKeys } from "../../mail/sort/sort-key-cache.js";
import { sortMessages } from "../../mail/sort/sort-messages.js";
import { updateRefusal } from "../search/search-contexts.js";
import { buildSearchReply } from "../search/search-reply.js";
import { searchSelected } from "../search/search-selected.js";
import { type CommandContext, type CommandOutcome, ok, selectedOf } from "../session/command-context.js";
import { limitSaved } from "../session/message-limit.js";
import type { CommandOf } from "../wire/command.js";

export async function sort(ctx: CommandContext, command: CommandOf<"sort">): Promise<CommandOutcome> {
  const selected = selectedOf(ctx);
  const isSave = command.returns?.includes("SAVE") ?? false;
  const isUpdate = command.returns?.includes("UPDATE") ?? false;
  const refusal = isUpdate ? updateRefusal(selected.contexts, command.tag, command.criteria) : null;
  try {
    const result = await searchSelected(ctx, command, isUpdate && refusal === null);
    if ("status" in result) {
      if (isSave) selected.saveResult([]);
      return result;
    }
    const { view, matched, modSeq, live } = result;
    const keys = await loadSortKeys(ctx.services.store, matched);
    const sorted = sortMessages(matched, keys, command.sortCriteria);
    if (command.returns === null) {
      const numbers = sorted.map((entry) => (command.uid ? entry.uid : view.positionOf(entry.uid)));
      await ctx.send({ kind: "sort", numbers, modSeq: numbers.length > 0 ? modSeq : null });
      return ok(`${command.uid ? "UID SORT" : "SORT"} completed`);
    }
    // RFC 5267 §3.2: MIN and MAX are the first and last message in sort order, ALL the sorted numbers as
    // a sequence set that keeps their order; the ESEARCH builder takes the hits in that order.
    const reply = buildSearchReply({
      tag: command.tag,
      isUid: command.uid,
      returns: command.returns,
      partial: command.partial,
      isRev2: false,
      hits: sorted.map((entry) => ({ uid: entry.uid, position: view.positionOf(entry.uid) })),
      modSeq,
    });
    // RFC 9738 SAVELIMIT holds for SORT's SAVE as for SEARCH's: the lowest UIDs are kept.
    const saved = reply.saved === null ? null : limitSaved(ctx, reply.saved);
    if (saved !== null) selected.saveResult(saved.entries);
    for (const response of reply.responses) await ctx.send(response);
    if (live !== null)
      selected.contexts.addSort(command.tag, command.uid, live, sorted, command.sortCriteria);
    if (refusal !== null)
      await ctx.send({
        kind: "condition",
        status: "NO",
        code: { kind: "NOUPDATE", tag: command.tag },
        text: refusal,
      });
    if (saved?.isLimited) return { ...ok("Saved result truncated (SAVELIMIT)"), code: { kind: "LIMIT" } };
    return ok(`${command.uid ? "UID SORT" : "SORT"} completed`);
  } catch (error) {
    // RFC 5182 §2.1: a failed command with SAVE leaves `$` empty.
    if (isSave) selected.saveResult([]);
    throw error;
  }
}

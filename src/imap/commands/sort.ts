// SORT and UID SORT (RFC 5256 §3, RFC 5957 DISPLAYFROM/DISPLAYTO) with ESORT's RETURN options (RFC 5267
// §3.2, answered as ESEARCH): search as SEARCH does, then order the matches by the stored sort keys.
import type { ModSeq } from "../../kit/ids.js";
import { loadSortKeys } from "../../mail/sort/sort-key-cache.js";
import { sortMessages } from "../../mail/sort/sort-messages.js";
import { compactSet } from "../search/search-reply.js";
import { searchSelected } from "../search/search-selected.js";
import { type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";
import type { CommandOf } from "../wire/command.js";
import type { ImapResponse } from "../wire/response.js";

export async function sort(ctx: CommandContext, command: CommandOf<"sort">): Promise<CommandOutcome> {
  const result = await searchSelected(ctx, command);
  if ("status" in result) return result;
  const { view, matched, modSeq } = result;
  const keys = await loadSortKeys(ctx.services.store, matched);
  const sorted = sortMessages(matched, keys, command.sortCriteria);
  const numbers = sorted.map((entry) => (command.uid ? entry.uid : view.positionOf(entry.uid)));
  await ctx.send(
    command.returns === null
      ? { kind: "sort", numbers, modSeq: numbers.length > 0 ? modSeq : null }
      : esortResponse(command, numbers, modSeq),
  );
  return ok(`${command.uid ? "UID SORT" : "SORT"} completed`);
}

/**
 * RFC 5267 §3.2: MIN and MAX are the first and last message in sort order, ALL the sorted numbers as a
 * sequence set that keeps their order (consecutive runs joined), COUNT how many; `RETURN ()` means ALL.
 */
function esortResponse(
  command: CommandOf<"sort">,
  numbers: readonly number[],
  modSeq: ModSeq | null,
): ImapResponse {
  const asked = new Set(command.returns ?? []);
  if (asked.size === 0) asked.add("ALL");
  const first = numbers[0];
  const last = numbers.at(-1);
  return {
    kind: "esearch",
    tag: command.tag,
    uid: command.uid,
    ...(asked.has("MIN") && first !== undefined ? { min: first } : {}),
    ...(asked.has("MAX") && last !== undefined ? { max: last } : {}),
    ...(asked.has("ALL") && numbers.length > 0 ? { all: compactSet(numbers) } : {}),
    ...(asked.has("COUNT") ? { count: numbers.length } : {}),
    ...(modSeq !== null && numbers.length > 0 ? { modSeq } : {}),
  };
}

// THREAD and UID THREAD (RFC 5256 §3, §4): search as SEARCH does, then thread the matches by
// ORDEREDSUBJECT or REFERENCES over the stored thread keys; answered as `* THREAD (…)(…)`.
import { loadSortKeys } from "../../mail/sort/sort-key-cache.js";
import { threadByOrderedSubject } from "../../mail/thread/thread-ordered-subject.js";
import { threadByReferences } from "../../mail/thread/thread-references.js";
import type { ThreadNode } from "../../mail/thread/thread-tree.js";
import type { MailboxEntry } from "../../store/mail-store.js";
import { searchSelected } from "../search/search-selected.js";
import { type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";
import type { CommandOf } from "../wire/command.js";
import type { ThreadMember } from "../wire/response.js";

export async function thread(ctx: CommandContext, command: CommandOf<"thread">): Promise<CommandOutcome> {
  const result = await searchSelected(ctx, command);
  if ("status" in result) return result;
  const { view, matched } = result;
  const keys = await loadSortKeys(ctx.services.store, matched);
  const threads =
    command.algorithm === "REFERENCES"
      ? threadByReferences(matched, keys)
      : threadByOrderedSubject(matched, keys);
  const numberOf = (entry: MailboxEntry) => (command.uid ? entry.uid : view.positionOf(entry.uid));
  const toMember = (node: ThreadNode): ThreadMember => ({
    id: node.entry === null ? null : numberOf(node.entry),
    children: node.children.map(toMember),
  });
  await ctx.send({ kind: "thread", threads: threads.map(toMember) });
  return ok(`${command.uid ? "UID THREAD" : "THREAD"} completed`);
}

// ESEARCH (RFC 7377 MULTISEARCH): one search over several mailboxes, in the authenticated state too.
// Each mailbox with matches gets `* ESEARCH (TAG "t" MAILBOX "m" UIDVALIDITY n) UID …` with SEARCH's
// RETURN options (ALL when none; PARTIAL per mailbox). Results are UIDs, so message sequence numbers
// and `$` are BAD, and so are SAVE and UPDATE, which only mean something for the selected mailbox. The
// selected mailbox is searched in the session's snapshot (as UID SEARCH); the others in a fresh one.
import type { ModSeq } from "../../kit/ids.js";
import { searchMailbox } from "../../mail/search/search-mailbox.js";
import { MailboxView } from "../../mail/view/mailbox-view.js";
import { isKnownCharset } from "../../mime/charset.js";
import type { MailboxEntry, MailboxRecord } from "../../store/mail-store.js";
import { buildSearchReply } from "../search/search-reply.js";
import { ADVERTISED_CHARSETS, searchSelected } from "../search/search-selected.js";
import { resolveSearchSources } from "../search/search-sources.js";
import { hasModSeqKey, toSearchQuery } from "../search/to-search-query.js";
import {
  accountOf,
  bad,
  type CommandContext,
  type CommandOutcome,
  no,
  ok,
} from "../session/command-context.js";
import { enableCondstore } from "../session/condstore.js";
import type { CommandOf } from "../wire/command.js";
import type { SearchKey } from "../wire/search-key.js";
import { isInSequenceSet } from "../wire/seqset.js";

/** Whether a key names messages by sequence number or `$`: neither means anything across mailboxes. */
function hasSequenceKey(keys: readonly SearchKey[]): boolean {
  return keys.some(function visit(key: SearchKey): boolean {
    if (key.kind === "sequenceSet") return true;
    if (key.kind === "uid") return key.set.kind === "saved";
    if (key.kind === "not") return visit(key.key);
    if (key.kind === "or") return visit(key.left) || visit(key.right);
    if (key.kind === "and") return key.keys.some(visit);
    return false;
  });
}

export async function esearch(ctx: CommandContext, command: CommandOf<"esearch">): Promise<CommandOutcome> {
  const account = accountOf(ctx);
  const state = ctx.session.state;
  const selected = state.kind === "selected" ? state.selected : null;
  if (command.returns?.some((option) => option === "SAVE" || option === "UPDATE" || option === "CONTEXT"))
    return bad("ESEARCH takes no SAVE, UPDATE or CONTEXT: use SEARCH in the selected mailbox");
  if (hasSequenceKey(command.criteria))
    return bad("ESEARCH results are UIDs: message sequence numbers and $ are not allowed");
  if (command.charset !== null && !isKnownCharset(command.charset))
    return no(`Charset ${command.charset} is not supported`, {
      kind: "BADCHARSET",
      charsets: ADVERTISED_CHARSETS,
    });
  const sources = command.sources ?? [{ kind: "selected" }];
  const isSelectedOnly = sources.every((s) => s.kind === "selected" || s.kind === "selected-delayed");
  if (isSelectedOnly && selected === null) return bad("No mailbox is selected");
  const all = await ctx.services.store.mailboxes.list(account.id);
  const mailboxes: { record: MailboxRecord; name: string }[] = resolveSearchSources(
    sources,
    all,
    selected?.view.mailboxId ?? null,
  ).map((record) => ({ record, name: record.name }));
  // A selected mailbox shared by another account (ACL) is not among the user's own: `selected` still
  // names it, by the name the client selected it with.
  const isSelectedNamed = sources.some((s) => s.kind === "selected" || s.kind === "selected-delayed");
  if (selected !== null && isSelectedNamed && !mailboxes.some((m) => m.record.id === selected.view.mailboxId))
    mailboxes.unshift({ record: selected.view.mailbox, name: selected.name });
  const isModSeq = hasModSeqKey(command.criteria);
  if (isModSeq) await enableCondstore(ctx);
  for (const { record: mailbox, name } of mailboxes) {
    const found =
      selected !== null && mailbox.id === selected.view.mailboxId
        ? await searchSelected(ctx, { uid: true, charset: command.charset, criteria: command.criteria })
        : await searchOther(ctx, mailbox, command.criteria);
    if ("status" in found) return found;
    const { matched } = found;
    const uidValidity = found.view.mailbox.uidValidity;
    if (matched.length === 0) continue;
    let modSeq: ModSeq | null = null;
    if (isModSeq)
      for (const entry of matched) if (modSeq === null || entry.modSeq > modSeq) modSeq = entry.modSeq;
    const reply = buildSearchReply({
      tag: command.tag,
      isUid: true,
      returns: command.returns ?? [],
      partial: command.partial,
      isRev2: false,
      hits: matched.map((entry) => ({ uid: entry.uid, position: 0 })),
      modSeq,
    });
    for (const response of reply.responses) {
      await ctx.send(
        response.kind === "esearch" ? { ...response, mailbox: { name, uidValidity } } : response,
      );
    }
  }
  return ok("ESEARCH completed");
}

/** A mailbox other than the selected one, in a snapshot of its own (nothing is \Recent there). */
async function searchOther(
  ctx: CommandContext,
  mailbox: MailboxRecord,
  criteria: readonly SearchKey[],
): Promise<{ matched: readonly MailboxEntry[]; view: MailboxView }> {
  const view = await MailboxView.open(
    ctx.services.store,
    ctx.services.snapshots,
    mailbox.accountId,
    mailbox.id,
  );
  const entries = view.entries;
  const largest = entries.at(-1)?.uid ?? 0;
  const query = toSearchQuery(criteria, {
    entries,
    // Only UID sets get here (sequence numbers and `$` were refused).
    resolve: (set) =>
      set.kind === "ranges" ? entries.filter((e) => isInSequenceSet(set, e.uid, largest)) : [],
    isRecent: () => false,
    nowMs: Date.now(),
  });
  const matched = await searchMailbox(ctx.services.store, view.accountId, view.mailboxId, entries, query);
  return { matched, view };
}

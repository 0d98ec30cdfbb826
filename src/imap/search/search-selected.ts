// The search part shared by SORT and THREAD (RFC 5256 §3: "the same as SEARCH"): announce pending
// updates as SEARCH does, then evaluate the keys over the session's snapshot through the mail layer.
import type { ModSeq } from "../../kit/ids.js";
import { searchMailbox } from "../../mail/search/search-mailbox.js";
import type { MailboxView } from "../../mail/view/mailbox-view.js";
import { isKnownCharset } from "../../mime/charset.js";
import type { MailboxEntry } from "../../store/mail-store.js";
import { ADVERTISED_CHARSETS } from "../commands/search.js";
import { type CommandContext, type CommandOutcome, no, selectedOf } from "../session/command-context.js";
import { enableCondstore } from "../session/condstore.js";
import type { SearchKey } from "../wire/search-key.js";
import { hasModSeqKey, type SearchScope, toSearchQuery } from "./to-search-query.js";

export interface SelectedSearchResult {
  readonly view: MailboxView;
  /** Matching entries in mailbox (sequence) order. */
  readonly matched: readonly MailboxEntry[];
  /** RFC 7162 §3.1.5: the highest modseq of the matches when the keys used MODSEQ, else null. */
  readonly modSeq: ModSeq | null;
}

/** The matching entries, or the NO [BADCHARSET] outcome for an unknown charset. */
export async function searchSelected(
  ctx: CommandContext,
  command: { readonly uid: boolean; readonly charset: string; readonly criteria: readonly SearchKey[] },
): Promise<SelectedSearchResult | CommandOutcome> {
  const selected = selectedOf(ctx);
  if (!isKnownCharset(command.charset))
    return no(`Charset ${command.charset} is not supported`, {
      kind: "BADCHARSET",
      charsets: ADVERTISED_CHARSETS,
    });
  // As SEARCH: expunges wait unless this is the UID form (RFC 9051 §7.5.1).
  for (const response of await selected.collectUpdates(command.uid, false)) await ctx.send(response);
  const view = selected.view;
  const scope: SearchScope = {
    entries: view.entries,
    resolve: (set, isUid) => selected.resolve(set, isUid),
    isRecent: (uid) => selected.isRecent(uid),
    nowMs: Date.now(),
  };
  const query = toSearchQuery(command.criteria, scope);
  const matched = await searchMailbox(
    ctx.services.store,
    view.accountId,
    view.mailboxId,
    view.entries,
    query,
  );
  let modSeq: ModSeq | null = null;
  if (hasModSeqKey(command.criteria)) {
    // RFC 7162 §3.1: a MODSEQ search key is a CONDSTORE enabling command, in SORT and THREAD as in SEARCH.
    await enableCondstore(ctx);
    for (const entry of matched) if (modSeq === null || entry.modSeq > modSeq) modSeq = entry.modSeq;
  }
  return { view, matched, modSeq };
}

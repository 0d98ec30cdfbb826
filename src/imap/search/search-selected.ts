// The search part of SEARCH, and of SORT and THREAD (RFC 5256 §3: "the same as SEARCH"): check the
// CHARSET, announce pending updates, then evaluate the keys over the session's snapshot through the mail
// layer.
import type { ModSeq } from "../../kit/ids.js";
import { LiveSearch } from "../../mail/search/live-search.js";
import { searchMailbox } from "../../mail/search/search-mailbox.js";
import type { MailboxView } from "../../mail/view/mailbox-view.js";
import { isKnownCharset } from "../../mime/charset.js";
import type { MailboxEntry } from "../../store/mail-store.js";
import { type CommandContext, type CommandOutcome, no, selectedOf } from "../session/command-context.js";
import { enableCondstore } from "../session/condstore.js";
import type { SearchKey } from "../wire/search-key.js";
import { hasModSeqKey, type SearchScope, toSearchQuery } from "./to-search-query.js";

/**
 * The wire decodes search strings from the CHARSET the client named (UTF-8 by default) with the MIME
 * layer's decoders; BADCHARSET lists the common ones for a charset it does not know.
 */
export const ADVERTISED_CHARSETS = [
  "UTF-8",
  "US-ASCII",
  "ISO-8859-1",
  "ISO-8859-15",
  "WINDOWS-1252",
  "KOI8-R",
  "SHIFT_JIS",
  "EUC-JP",
  "ISO-2022-JP",
  "GB2312",
  "BIG5",
];

export interface SelectedSearchResult {
  readonly view: MailboxView;
  /** Matching entries in mailbox (sequence) order. */
  readonly matched: readonly MailboxEntry[];
  /** RFC 7162 §3.1.5: the highest modseq of the matches when the keys used MODSEQ, else null. */
  readonly modSeq: ModSeq | null;
  /** The search kept for updates (RFC 5267 RETURN (UPDATE)), when `keepLive` asked for it. */
  readonly live: LiveSearch | null;
}

/** The matching entries, or the NO [BADCHARSET] outcome for an unknown charset. */
export async function searchSelected(
  ctx: CommandContext,
  command: {
    readonly uid: boolean;
    /** Null when the client named none (UTF-8). */
    readonly charset: string | null;
    readonly criteria: readonly SearchKey[];
  },
  keepLive = false,
): Promise<SelectedSearchResult | CommandOutcome> {
  const selected = selectedOf(ctx);
  if (command.charset !== null && !isKnownCharset(command.charset))
    return no(`Charset ${command.charset} is not supported`, {
      kind: "BADCHARSET",
      charsets: ADVERTISED_CHARSETS,
    });
  // Search what others changed too: flag changes and new messages are announced first; expunges wait
  // unless this is the UID form (RFC 9051 §7.5.1), keeping the client's sequence numbers valid.
  for (const response of await selected.collectUpdates(command.uid, false)) await ctx.send(response);
  const view = selected.view;
  const scope: SearchScope = {
    entries: view.entries,
    resolve: (set, isUid) => selected.resolve(set, isUid),
    isRecent: (uid) => selected.isRecent(uid),
    nowMs: Date.now(),
  };
  const query = toSearchQuery(command.criteria, scope);
  let live: LiveSearch | null = null;
  let matched: MailboxEntry[];
  if (keepLive) {
    ({ search: live, matched } = await LiveSearch.start(
      ctx.services.store,
      view.mailboxId,
      view.entries,
      query,
    ));
  } else {
    matched = await searchMailbox(ctx.services.store, view.accountId, view.mailboxId, view.entries, query);
  }
  let modSeq: ModSeq | null = null;
  if (hasModSeqKey(command.criteria)) {
    // RFC 7162 §3.1: a MODSEQ search key is a CONDSTORE enabling command (in SORT and THREAD too).
    await enableCondstore(ctx);
    for (const entry of matched) if (modSeq === null || entry.modSeq > modSeq) modSeq = entry.modSeq;
  }
  return { view, matched, modSeq, live };
}

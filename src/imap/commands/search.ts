// SEARCH and UID SEARCH (RFC 9051 §6.4.4, §6.4.9) with CHARSET, ESEARCH return options (RFC 4731) and
// SAVE / `$` (RFC 5182): the keys become a mail-layer SearchQuery evaluated over the session's snapshot.
import type { ModSeq } from "../../kit/ids.js";
import { searchMailbox } from "../../mail/search/search-mailbox.js";
import { isKnownCharset } from "../../mime/charset.js";
import { buildSearchReply } from "../search/search-reply.js";
import { hasModSeqKey, type SearchScope, toSearchQuery } from "../search/to-search-query.js";
import { type CommandContext, type CommandOutcome, no, ok, selectedOf } from "../session/command-context.js";
import { enableCondstore } from "../session/condstore.js";
import type { CommandOf } from "../wire/command.js";

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

export async function search(ctx: CommandContext, command: CommandOf<"search">): Promise<CommandOutcome> {
  const selected = selectedOf(ctx);
  const isSave = command.returns?.includes("SAVE") ?? false;
  try {
    if (command.charset !== null && !isKnownCharset(command.charset)) {
      if (isSave) selected.saveResult([]);
      return no(`Charset ${command.charset} is not supported`, {
        kind: "BADCHARSET",
        charsets: ADVERTISED_CHARSETS,
      });
    }
    // Search what others changed too: flag changes and new messages are announced first; expunges
    // wait unless this is UID SEARCH (RFC 9051 §7.5.1), keeping the client's sequence numbers valid.
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
      await enableCondstore(ctx);
      for (const entry of matched) if (modSeq === null || entry.modSeq > modSeq) modSeq = entry.modSeq;
    }
    const reply = buildSearchReply({
      tag: command.tag,
      isUid: command.uid,
      returns: command.returns,
      isRev2: ctx.session.enabled.has("IMAP4REV2"),
      hits: matched.map((entry) => ({ uid: entry.uid, position: view.positionOf(entry.uid) })),
      modSeq,
    });
    if (reply.saved !== null) selected.saveResult(reply.saved);
    for (const response of reply.responses) await ctx.send(response);
    return ok(`${command.uid ? "UID SEARCH" : "SEARCH"} completed`);
  } catch (error) {
    // RFC 5182 §2.1: a failed SEARCH with SAVE leaves `$` empty.
    if (isSave) selected.saveResult([]);
    throw error;
  }
}

// FETCH responses answered from snapshot entries and summaries alone (UID, FLAGS, MODSEQ, sizes, dates,
// ENVELOPE, BODYSTRUCTURE…), formatted straight to text. A resync or a listing of a whole mailbox formats
// 100,000 of them, most before V8 has optimized anything: so the formatter of each attribute is picked
// once per command rather than per message, and no item list or response object is made per message.
import type { MessageIndex } from "../../mime/message-index.js";
import type { EmailSummary, MailboxEntry } from "../../store/mail-store.js";
import type { FetchAttribute } from "../wire/fetch-attribute.js";
import type { FetchResponseItem } from "../wire/response.js";
import type { StringStyle } from "../wire/wire-string.js";
import { fetchItemText } from "../wire/writer.js";
import { buildStaticItem, type FetchMessage } from "./fetch-item-builder.js";

/** One message's whole `* n FETCH (…)` line, CRLF included. */
export type StaticFetchLine = (position: number, message: FetchMessage) => string;

/** For messages whose FETCH reads no content: asking for the index is a bug in the plan. */
export const noIndexLoader = (): Promise<MessageIndex> =>
  Promise.reject(new Error("FETCH plan reads no content but asked for the index"));

/** A message as the static formatters read it: the index is never loaded on this path. */
export function staticFetchMessage(
  entry: MailboxEntry,
  flags: readonly string[],
  summary: EmailSummary | undefined,
): FetchMessage {
  return { entry, flags, summary, loadIndex: noIndexLoader };
}

export interface StaticFetchOptions {
  readonly style: StringStyle;
  /** RFC 9586 UIDONLY: `* uid UIDFETCH (…)`, the UID item left out unless it is the only one. */
  readonly isUidOnly: boolean;
}

/** The line formatter for attributes that `planFetch` found need no message bytes. */
export function staticFetchLine(
  attributes: readonly FetchAttribute[],
  options: StaticFetchOptions,
): StaticFetchLine {
  const shown =
    options.isUidOnly && attributes.length > 1 ? attributes.filter((a) => a.kind !== "UID") : attributes;
  const items = shown.map((attribute) => itemText(attribute, options.style));
  // The caching client's resync, `UID FETCH 1:* (UID FLAGS)`: one template, no loop over items.
  if (!options.isUidOnly && items.length === 2 && shown[0]?.kind === "UID" && shown[1]?.kind === "FLAGS") {
    const flagsText = items[1] as ItemText;
    return (position, message) => `* ${position} FETCH (UID ${message.entry.uid} ${flagsText(message)})\r\n`;
  }
  const head = options.isUidOnly
    ? (_position: number, message: FetchMessage) => `* ${message.entry.uid} UIDFETCH (`
    : (position: number) => `* ${position} FETCH (`;
  return (position, message) => {
    let line = head(position, message);
    for (let i = 0; i < items.length; i++) {
      line += i === 0 ? (items[i] as ItemText)(message) : ` ${(items[i] as ItemText)(message)}`;
    }
    return `${line})\r\n`;
  };
}

type ItemText = (message: FetchMessage) => string;

function itemText(attribute: FetchAttribute, style: StringStyle): ItemText {
  // The items of resyncs and listings, formatted without an item object (as writer.ts formats them).
  switch (attribute.kind) {
    case "UID":
      return (message) => `UID ${message.entry.uid}`;
    case "MODSEQ":
      return (message) => `MODSEQ (${message.entry.modSeq})`;
    case "RFC822.SIZE":
      return (message) => `RFC822.SIZE ${message.entry.size}`;
    case "FLAGS":
      return flagsItemText();
  }
  return (message) => {
    const item = buildStaticItem(attribute, message);
    if (item === null) throw new Error(`FETCH ${attribute.kind} reads message bytes`);
    return fetchItemText(item as FetchResponseItem, style);
  };
}

/**
 * `FLAGS (…)` by flag list. Sessions share one list per distinct flag combination (imap-flags.ts) and
 * neighbouring messages mostly share theirs, so the last list is checked first, then this command's
 * texts by list: each combination is joined once per command.
 */
function flagsItemText(): ItemText {
  const texts = new Map<readonly string[], string>();
  let lastFlags: readonly string[] | null = null;
  let lastText = "";
  return (message) => {
    const flags = message.flags;
    if (flags === lastFlags) return lastText;
    let text = texts.get(flags);
    if (text === undefined) {
      text = `FLAGS (${flags.join(" ")})`;
      texts.set(flags, text);
    }
    lastFlags = flags;
    lastText = text;
    return text;
  };
}

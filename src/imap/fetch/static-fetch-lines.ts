// FETCH responses answered from snapshot entries and summaries alone (UID, FLAGS, MODSEQ, sizes, dates,
// ENVELOPE, BODYSTRUCTURE…), encoded straight to bytes. A resync or a listing of a whole mailbox formats
// 100,000 of them, most before V8 has optimized anything: so the formatter of each attribute is picked
// once per command rather than per message, and no item list or response object is made per message.

import { Utf8Builder } from "../../kit/utf8-builder.js";
import type { MessageIndex } from "../../mime/message-index.js";
import type { MailboxEntry } from "../../store/mail-store.js";
import type { FetchAttribute } from "../wire/fetch-attribute.js";
import type { FetchResponseItem } from "../wire/response.js";
import type { StringStyle } from "../wire/wire-string.js";
import { fetchItemText } from "../wire/writer.js";
import { buildStaticItem, type FetchMessage, type FetchSummary, summaryText } from "./fetch-item-builder.js";
import { utcDateTimeFormatter } from "./imap-date.js";

/**
 * Writes FETCH lines answered without message bytes, encoded as they are written: the summaries' stored
 * ENVELOPE and BODYSTRUCTURE texts go into the output bytes as they are, not into one string per batch
 * (see kit/utf8-builder.ts for what that string cost).
 */
export interface StaticFetchWriter {
  /** Appends one message's whole `* n FETCH (…)` line, CRLF included. */
  write(position: number, message: FetchMessage): void;
  /** The lines written since the last take. */
  take(): Uint8Array;
}

/** For messages whose FETCH reads no content: asking for the index is a bug in the plan. */
export const noIndexLoader = (): Promise<MessageIndex> =>
  Promise.reject(new Error("FETCH plan reads no content but asked for the index"));

/** A message as the static formatters read it: the index is never loaded on this path. */
export function staticFetchMessage(
  entry: MailboxEntry,
  flags: readonly string[],
  summary: FetchSummary | undefined,
): FetchMessage {
  return { entry, flags, summary, loadIndex: noIndexLoader };
}

export interface StaticFetchOptions {
  readonly style: StringStyle;
  /** RFC 9586 UIDONLY: `* uid UIDFETCH (…)`, the UID item left out unless it is the only one. */
  readonly isUidOnly: boolean;
}

/** The line writer for attributes that `planFetch` found need no message bytes. */
export function staticFetchWriter(
  attributes: readonly FetchAttribute[],
  options: StaticFetchOptions,
  /** Messages the command answers: a FETCH of a few starts small (a 64 KiB buffer each was garbage). */
  messages: number,
): StaticFetchWriter {
  const out = new Utf8Builder(Math.min(FIRST_BATCH_BYTES, messages * EXPECTED_LINE_BYTES));
  const take = (): Uint8Array => out.take();
  const shown =
    options.isUidOnly && attributes.length > 1 ? attributes.filter((a) => a.kind !== "UID") : attributes;
  const items = shown.map((attribute) => itemText(attribute, options.style));
  // The caching client's resync, `UID FETCH 1:* (UID FLAGS)`: written as bytes, the numbers digit by
  // digit and each flag list encoded once per command, so no string is made per message.
  if (!options.isUidOnly && shown[0]?.kind === "UID" && shown[1]?.kind === "FLAGS" && items.length === 2) {
    const flagsBytes = flagsItemBytes();
    return {
      write: (position, message) => {
        out.appendBytes(LINE_START);
        out.appendUint(position);
        out.appendBytes(FETCH_UID);
        out.appendUint(message.entry.uid);
        out.appendBytes(flagsBytes(message));
      },
      take,
    };
  }
  const head = options.isUidOnly
    ? (_position: number, message: FetchMessage) => `* ${message.entry.uid} UIDFETCH (`
    : (position: number) => `* ${position} FETCH (`;
  const write = (position: number, message: FetchMessage): void => {
    // Short items gather in one small string; a stored text is written on its own, uncopied by V8.
    let pending = head(position, message);
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as ItemText;
      const separator = i === 0 ? "" : " ";
      if (item.kind === "small") {
        pending += separator + item.text(message);
        continue;
      }
      out.append(pending + separator + item.label);
      out.append(item.stored(message));
      pending = "";
    }
    out.append(`${pending})\r\n`);
  };
  return { write, take };
}

const LINE_START = Buffer.from("* ");
const FETCH_UID = Buffer.from(" FETCH (UID ");

/** The buffer a command's first batch starts in; it grows to twice the largest batch, later batches follow. */
const FIRST_BATCH_BYTES = 64 * 1024;
/** Bytes a line is sized for at first (a listing's line is about 600; the builder grows as needed). */
const EXPECTED_LINE_BYTES = 512;

/** An item formatted per message, or one whose text the summary stores ready for the wire. */
type ItemText = SmallItem | StoredItem;
interface SmallItem {
  readonly kind: "small";
  readonly text: (message: FetchMessage) => string;
}
interface StoredItem {
  readonly kind: "stored";
  /** The item's name and the space before its value, e.g. `ENVELOPE `. */
  readonly label: string;
  readonly stored: (message: FetchMessage) => string;
}

function itemText(attribute: FetchAttribute, style: StringStyle): ItemText {
  // The items of resyncs and listings, formatted without an item object (as writer.ts formats them).
  switch (attribute.kind) {
    case "UID":
      return small((message) => `UID ${message.entry.uid}`);
    case "MODSEQ":
      return small((message) => `MODSEQ (${message.entry.modSeq})`);
    case "RFC822.SIZE":
      return small((message) => `RFC822.SIZE ${message.entry.size}`);
    case "FLAGS":
      return small(flagsItemText());
    case "INTERNALDATE": {
      const format = utcDateTimeFormatter();
      return small((message) => `INTERNALDATE "${format(message.entry.internalDateMs)}"`);
    }
    case "ENVELOPE":
      return { kind: "stored", label: "ENVELOPE ", stored: (message) => summaryText(message, "envelope") };
    case "BODYSTRUCTURE":
      return {
        kind: "stored",
        label: "BODYSTRUCTURE ",
        stored: (message) => summaryText(message, "bodyStructure"),
      };
    case "BODY":
      return { kind: "stored", label: "BODY ", stored: (message) => summaryText(message, "body") };
  }
  return small((message) => {
    const item = buildStaticItem(attribute, message);
    if (item === null) throw new Error(`FETCH ${attribute.kind} reads message bytes`);
    return fetchItemText(item as FetchResponseItem, style);
  });
}

const small = (text: (message: FetchMessage) => string): SmallItem => ({ kind: "small", text });

/**
 * ` FLAGS (…))` and the line's end, as bytes, by flag list (as flagsItemText): the end of a resync line.
 * Flags are atoms, keywords included (RFC 9051 §2.3.2), so their UTF-8 is their ASCII.
 */
function flagsItemBytes(): (message: FetchMessage) => Uint8Array {
  const encoded = new Map<readonly string[], Uint8Array>();
  let lastFlags: readonly string[] | null = null;
  let lastBytes: Uint8Array = EMPTY_BYTES;
  return (message) => {
    const flags = message.flags;
    if (flags === lastFlags) return lastBytes;
    let bytes = encoded.get(flags);
    if (bytes === undefined) {
      bytes = Buffer.from(` FLAGS (${flags.join(" ")}))\r\n`, "utf8");
      encoded.set(flags, bytes);
    }
    lastFlags = flags;
    lastBytes = bytes;
    return bytes;
  };
}

const EMPTY_BYTES = new Uint8Array(0);

/**
 * `FLAGS (…)` by flag list. Sessions share one list per distinct flag combination (imap-flags.ts) and
 * neighbouring messages mostly share theirs, so the last list is checked first, then this command's
 * texts by list: each combination is joined once per command.
 */
function flagsItemText(): (message: FetchMessage) => string {
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

// Writes an `ImapCommand` as a client would send it (RFC 9051 §9 grammar), with non-synchronizing
// literals (RFC 7888) so the result can be fed to the reader in one piece. For tests and tools.

import { type ImapDateTime, MONTHS } from "./argument-cursor.js";
import type {
  AppendMessage,
  ImapCommand,
  ListReturn,
  ListSelection,
  MetadataEntryArgument,
  MetadataOptions,
  PartialRange,
  SearchSource,
} from "./command.js";
import { expandFetchItems, formatFetchAttribute } from "./fetch-attribute.js";
import { formatPartialRange } from "./grammar/partial-range.js";
import { encodeMailboxName } from "./mailbox-name.js";
import { formatSearchKey } from "./search-key.js";
import { formatSequenceSet } from "./seqset.js";
import { formatAstring, formatNstring, formatString, type StringStyle } from "./wire-string.js";

export interface FormatCommandOptions {
  /** Write mailbox names as UTF-8 (the session enabled UTF8=ACCEPT) instead of modified UTF-7. */
  readonly isUtf8Accepted?: boolean;
  /** The bytes of each APPEND (or the REPLACE) message; without them each message is `size` bytes of `x`. */
  readonly appendBodies?: readonly Uint8Array[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const isListChar = (ch: string): boolean => {
  const code = ch.charCodeAt(0);
  return code > 0x20 && code < 0x7f && !'(){"\\'.includes(ch);
};

/** "00".."99": date-times of whole mailboxes are formatted per message (FETCH INTERNALDATE listings). */
export const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, "0"));

/** `DD-Mon-YYYY HH:MM:SS +ZZZZ`, the quoted `date-time` of RFC 9051 §9. */
export function formatDateTime(value: ImapDateTime): string {
  const sign = value.zoneMinutes < 0 ? "-" : "+";
  const zone = Math.abs(value.zoneMinutes);
  const year = value.year >= 1000 ? String(value.year) : String(value.year).padStart(4, "0");
  return `${TWO_DIGITS[value.day]}-${MONTHS[value.month - 1]}-${year} ${TWO_DIGITS[value.hour]}:${TWO_DIGITS[value.minute]}:${TWO_DIGITS[value.second]} ${sign}${TWO_DIGITS[Math.floor(zone / 60)]}${TWO_DIGITS[zone % 60]}`;
}

function formatSelection(s: ListSelection): string | null {
  const options = [
    s.subscribed && "SUBSCRIBED",
    s.remote && "REMOTE",
    s.recursiveMatch && "RECURSIVEMATCH",
    s.specialUse && "SPECIAL-USE",
  ].filter((o): o is string => o !== false);
  return options.length === 0 ? null : `(${options.join(" ")})`;
}

function formatReturn(r: ListReturn): string | null {
  const options = [
    r.subscribed && "SUBSCRIBED",
    r.children && "CHILDREN",
    r.specialUse && "SPECIAL-USE",
    r.status !== null && `STATUS (${r.status.join(" ")})`,
    r.metadata !== null &&
      `METADATA ${[formatMetadataOptions(r.metadata.options), formatEntries(r.metadata.entries)]
        .filter((part) => part !== null)
        .join(" ")}`,
  ].filter((o): o is string => o !== false);
  return options.length === 0 ? null : `RETURN (${options.join(" ")})`;
}

/** GETMETADATA options (RFC 5464 §4.2), or null when they are the defaults. */
function formatMetadataOptions(options: MetadataOptions): string | null {
  const words = [
    options.maxSize !== null && `MAXSIZE ${options.maxSize}`,
    options.depth !== 0 && `DEPTH ${options.depth}`,
  ].filter((o): o is string => o !== false);
  return words.length === 0 ? null : `(${words.join(" ")})`;
}

function formatEntries(entries: readonly string[]): string {
  const style: StringStyle = { literalMarker: "+", isUtf8Quoted: false };
  const formatted = entries.map((entry) => formatAstring(entry, style));
  return formatted.length === 1 ? (formatted[0] as string) : `(${formatted.join(" ")})`;
}

/** Formats a command; `parseCommand` of the result (via the reader) gives back an equal command. */
function formatSearchReturn(returns: readonly string[], partial: PartialRange | null): string {
  const options = [...returns];
  if (partial !== null) options.push(`PARTIAL ${formatPartialRange(partial)}`);
  return `RETURN (${options.join(" ")})`;
}

function formatSource(source: SearchSource, mailbox: (name: string) => string): string {
  if (!("mailboxes" in source)) return source.kind;
  const names = source.mailboxes.map(mailbox);
  return `${source.kind} ${names.length === 1 ? names[0] : `(${names.join(" ")})`}`;
}

export function formatCommand(command: ImapCommand, options: FormatCommandOptions = {}): Uint8Array {
  const isUtf8 = options.isUtf8Accepted ?? false;
  const style: StringStyle = { literalMarker: "+", isUtf8Quoted: false };
  const mailbox = (name: string): string =>
    formatAstring(decoder.decode(encodeMailboxName(name, isUtf8)), style);
  const pattern = (name: string): string => {
    const encoded = decoder.decode(encodeMailboxName(name, isUtf8));
    return encoded.length > 0 && [...encoded].every(isListChar) && encoded.toUpperCase() !== "NIL"
      ? encoded
      : formatString(encoded, style);
  };
  const words: string[] = [command.tag];
  const uidPrefix = (uid: boolean): void => {
    if (uid) words.push("UID");
  };
  switch (command.name) {
    case "capability":
    case "noop":
    case "logout":
    case "starttls":
    case "namespace":
    case "idle":
    case "check":
    case "close":
    case "unselect":
    case "unauthenticate":
      words.push(command.name.toUpperCase());
      break;
    case "authenticate":
      words.push("AUTHENTICATE", command.mechanism);
      if (command.initialResponse !== null) words.push(command.initialResponse);
      break;
    case "login":
      words.push("LOGIN", formatAstring(command.username, style), formatAstring(command.password, style));
      break;
    case "enable":
      words.push("ENABLE", ...command.capabilities);
      break;
    case "id":
      words.push(
        "ID",
        command.parameters === null
          ? "NIL"
          : `(${command.parameters.map((p) => `${formatString(p.key, style)} ${formatNstring(p.value, style)}`).join(" ")})`,
      );
      break;
    case "select":
    case "examine": {
      words.push(command.name.toUpperCase(), mailbox(command.mailbox));
      const params: string[] = [];
      if (command.condstore) params.push("CONDSTORE");
      const q = command.qresync;
      if (q !== null) {
        const inner = [String(q.uidValidity), String(q.modSeq)];
        if (q.knownUids !== null) inner.push(formatSequenceSet(q.knownUids));
        if (q.sequenceMatch !== null) {
          inner.push(
            `(${formatSequenceSet(q.sequenceMatch.sequences)} ${formatSequenceSet(q.sequenceMatch.uids)})`,
          );
        }
        params.push(`QRESYNC (${inner.join(" ")})`);
      }
      if (params.length > 0) words.push(`(${params.join(" ")})`);
      break;
    }
    case "create":
      words.push("CREATE", mailbox(command.mailbox));
      if (command.specialUse.length > 0) words.push(`(USE (${command.specialUse.join(" ")}))`);
      break;
    case "delete":
    case "subscribe":
    case "unsubscribe":
      words.push(command.name.toUpperCase(), mailbox(command.mailbox));
      break;
    case "rename":
      words.push("RENAME", mailbox(command.from), mailbox(command.to));
      break;
    case "list": {
      words.push("LIST");
      const selection = formatSelection(command.selection);
      if (selection !== null) words.push(selection);
      words.push(mailbox(command.reference));
      const patterns = command.patterns.map(pattern);
      words.push(patterns.length === 1 ? patterns[0]! : `(${patterns.join(" ")})`);
      const returns = formatReturn(command.returns);
      if (returns !== null) words.push(returns);
      break;
    }
    case "lsub":
      words.push("LSUB", mailbox(command.reference), pattern(command.pattern));
      break;
    case "status":
      words.push("STATUS", mailbox(command.mailbox), `(${command.items.join(" ")})`);
      break;
    case "compress":
      words.push("COMPRESS", command.mechanism);
      break;
    case "getquota":
      words.push("GETQUOTA", formatAstring(command.root, style));
      break;
    case "getquotaroot":
      words.push("GETQUOTAROOT", mailbox(command.mailbox));
      break;
    case "setquota":
      words.push(
        "SETQUOTA",
        formatAstring(command.root, style),
        `(${command.limits.map((l) => `${l.resource} ${l.limit}`).join(" ")})`,
      );
      break;
    case "getmetadata": {
      words.push("GETMETADATA");
      const metadataOptions = formatMetadataOptions(command.options);
      if (metadataOptions !== null) words.push(metadataOptions);
      words.push(mailbox(command.mailbox), formatEntries(command.entries));
      break;
    }
    case "setmetadata":
      return formatSetMetadata(
        `${words.join(" ")} SETMETADATA ${mailbox(command.mailbox)} (`,
        command.entries,
      );
    case "setacl":
      words.push(
        "SETACL",
        mailbox(command.mailbox),
        formatAstring(command.identifier, style),
        formatAstring(command.rights, style),
      );
      break;
    case "deleteacl":
      words.push("DELETEACL", mailbox(command.mailbox), formatAstring(command.identifier, style));
      break;
    case "getacl":
      words.push("GETACL", mailbox(command.mailbox));
      break;
    case "listrights":
      words.push("LISTRIGHTS", mailbox(command.mailbox), formatAstring(command.identifier, style));
      break;
    case "myrights":
      words.push("MYRIGHTS", mailbox(command.mailbox));
      break;
    case "append":
      words.push("APPEND", mailbox(command.mailbox));
      return formatMessages(words.join(" "), command.messages, options.appendBodies, (url) =>
        formatAstring(url, style),
      );
    case "replace":
      uidPrefix(command.uid);
      words.push("REPLACE", String(command.target), mailbox(command.mailbox));
      return formatMessages(words.join(" "), [command.message], options.appendBodies, (url) =>
        formatAstring(url, style),
      );
    case "expunge":
      uidPrefix(command.uid);
      words.push("EXPUNGE");
      if (command.uid) words.push(formatSequenceSet(command.set));
      break;
    case "search":
      uidPrefix(command.uid);
      words.push("SEARCH");
      if (command.returns !== null) words.push(formatSearchReturn(command.returns, command.partial));
      if (command.charset !== null) words.push("CHARSET", formatAstring(command.charset, style));
      for (const key of command.criteria) words.push(formatSearchKey(key, style));
      break;
    case "sort":
      uidPrefix(command.uid);
      words.push("SORT");
      if (command.returns !== null) words.push(formatSearchReturn(command.returns, command.partial));
      words.push(
        `(${command.sortCriteria.map((c) => (c.isReverse ? `REVERSE ${c.key}` : c.key)).join(" ")})`,
        formatAstring(command.charset, style),
      );
      for (const key of command.criteria) words.push(formatSearchKey(key, style));
      break;
    case "esearch":
      words.push("ESEARCH");
      if (command.sources !== null)
        words.push(`IN (${command.sources.map((source) => formatSource(source, mailbox)).join(" ")})`);
      if (command.returns !== null) words.push(formatSearchReturn(command.returns, command.partial));
      if (command.charset !== null) words.push("CHARSET", formatAstring(command.charset, style));
      for (const key of command.criteria) words.push(formatSearchKey(key, style));
      break;
    case "cancelupdate":
      words.push("CANCELUPDATE", ...command.tags.map((t) => formatString(t, style)));
      break;
    case "thread":
      uidPrefix(command.uid);
      words.push("THREAD", command.algorithm, formatAstring(command.charset, style));
      for (const key of command.criteria) words.push(formatSearchKey(key, style));
      break;
    case "fetch": {
      uidPrefix(command.uid);
      words.push("FETCH", formatSequenceSet(command.set));
      const items = command.items;
      words.push(
        items.kind === "macro"
          ? items.macro
          : `(${expandFetchItems(items).map(formatFetchAttribute).join(" ")})`,
      );
      const modifiers: string[] = [];
      if (command.changedSince !== null) modifiers.push(`CHANGEDSINCE ${command.changedSince}`);
      if (command.vanished) modifiers.push("VANISHED");
      if (command.partial !== null) modifiers.push(`PARTIAL ${formatPartialRange(command.partial)}`);
      if (modifiers.length > 0) words.push(`(${modifiers.join(" ")})`);
      break;
    }
    case "notify": {
      words.push("NOTIFY");
      const set = command.set;
      if (set === null) {
        words.push("NONE");
        break;
      }
      words.push("SET");
      if (set.isStatus) words.push("STATUS");
      for (const group of set.groups) {
        const filter = group.filter;
        let spec: string = filter.kind.toUpperCase();
        if (filter.kind === "subtree" || filter.kind === "mailboxes") {
          const names = filter.mailboxes.map(mailbox);
          spec += ` ${names.length === 1 ? names[0] : `(${names.join(" ")})`}`;
        }
        const events =
          group.events === null
            ? "NONE"
            : `(${group.events
                .map((e) =>
                  e.fetch === null
                    ? e.name
                    : `${e.name} (${expandFetchItems(e.fetch).map(formatFetchAttribute).join(" ")})`,
                )
                .join(" ")})`;
        words.push(`(${spec} ${events})`);
      }
      break;
    }
    case "store": {
      uidPrefix(command.uid);
      words.push("STORE", formatSequenceSet(command.set));
      if (command.unchangedSince !== null) words.push(`(UNCHANGEDSINCE ${command.unchangedSince})`);
      const sign = command.action === "add" ? "+" : command.action === "remove" ? "-" : "";
      words.push(`${sign}FLAGS${command.silent ? ".SILENT" : ""}`, `(${command.flags.join(" ")})`);
      break;
    }
    case "copy":
    case "move":
      uidPrefix(command.uid);
      words.push(command.name.toUpperCase(), formatSequenceSet(command.set), mailbox(command.mailbox));
      break;
  }
  return encoder.encode(`${words.join(" ")}\r\n`);
}

/** SETMETADATA's `entry value` pairs: values as literals (literal8 when they hold a NUL), or NIL. */
function formatSetMetadata(head: string, entries: readonly MetadataEntryArgument[]): Uint8Array {
  const style: StringStyle = { literalMarker: "+", isUtf8Quoted: false };
  const parts: Uint8Array[] = [];
  let text = head;
  entries.forEach((pair, index) => {
    text += `${index === 0 ? "" : " "}${formatAstring(pair.entry, style)} `;
    if (pair.value === null) {
      text += "NIL";
      return;
    }
    text += `${pair.value.includes(0) ? "~" : ""}{${pair.value.length}+}\r\n`;
    parts.push(encoder.encode(text), pair.value);
    text = "";
  });
  parts.push(encoder.encode(`${text})\r\n`));
  return concatBytes(parts);
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The command up to its mailbox (`head`), then each APPEND/REPLACE message with its literal, or its
 * CATENATE parts (RFC 4469: TEXT literals filled with "x", URLs as astrings).
 */
function formatMessages(
  head: string,
  messages: readonly AppendMessage[],
  bodies: readonly Uint8Array[] | undefined,
  astring: (value: string) => string,
): Uint8Array {
  const parts: Uint8Array[] = [];
  let text = head;
  messages.forEach((message, index) => {
    if (message.flags.length > 0) text += ` (${message.flags.join(" ")})`;
    if (message.internalDate !== null) text += ` "${formatDateTime(message.internalDate)}"`;
    if (message.catenate !== undefined) {
      text += " CATENATE (";
      message.catenate.forEach((part, at) => {
        if (at > 0) text += " ";
        if (part.kind === "url") {
          text += `URL ${astring(part.url)}`;
          return;
        }
        text += `TEXT ${part.isBinary ? "~" : ""}{${part.size}+}\r\n`;
        parts.push(encoder.encode(text));
        parts.push(new Uint8Array(part.size).fill(0x78));
        text = "";
      });
      text += ")";
      return;
    }
    const literal = `${message.isBinary ? "~" : ""}{${message.size}+}\r\n`;
    text += message.isUtf8 ? ` UTF8 (${literal}` : ` ${literal}`;
    parts.push(encoder.encode(text));
    parts.push(bodies?.[index] ?? new Uint8Array(message.size).fill(0x78));
    text = message.isUtf8 ? ")" : "";
  });
  parts.push(encoder.encode(`${text}\r\n`));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

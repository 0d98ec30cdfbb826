// The IMAP search key AST and its grammar (RFC 9051 §6.4.4 plus NEW/OLD/RECENT of RFC 3501, MODSEQ of
// RFC 7162 §3.1.5, OLDER/YOUNGER of RFC 5032, SAVEDBEFORE… of RFC 8514, EMAILID/THREADID of RFC 8474).

import { type ArgumentCursor, type ImapDate, MONTHS } from "./argument-cursor.js";
import { formatSequenceSet, type SequenceSet } from "./seqset.js";
import { formatAstring, type StringStyle } from "./wire-string.js";

/** Keys without arguments. */
export type SearchFlagKeyName =
  | "ALL"
  | "ANSWERED"
  | "DELETED"
  | "DRAFT"
  | "FLAGGED"
  | "SEEN"
  | "UNANSWERED"
  | "UNDELETED"
  | "UNDRAFT"
  | "UNFLAGGED"
  | "UNSEEN"
  | "NEW"
  | "OLD"
  | "RECENT"
  | "SAVEDATESUPPORTED";

export type SearchTextKeyName = "BCC" | "BODY" | "CC" | "FROM" | "SUBJECT" | "TEXT" | "TO";
export type SearchDateKeyName =
  | "BEFORE"
  | "ON"
  | "SINCE"
  | "SENTBEFORE"
  | "SENTON"
  | "SENTSINCE"
  | "SAVEDBEFORE"
  | "SAVEDON"
  | "SAVEDSINCE";

/** RFC 7162 §3.1.5 `MODSEQ "/flags/\\Seen" all 5`: the metadata entry is kept but servers may ignore it. */
export interface ModSeqEntry {
  readonly flag: string;
  readonly type: "priv" | "shared" | "all";
}

export type SearchKey =
  | { readonly kind: "flag"; readonly name: SearchFlagKeyName }
  | { readonly kind: "text"; readonly name: SearchTextKeyName; readonly value: string }
  | { readonly kind: "header"; readonly field: string; readonly value: string }
  | { readonly kind: "keyword"; readonly isSet: boolean; readonly keyword: string }
  | { readonly kind: "date"; readonly name: SearchDateKeyName; readonly date: ImapDate }
  | { readonly kind: "size"; readonly isLarger: boolean; readonly bytes: number }
  | { readonly kind: "age"; readonly isOlder: boolean; readonly seconds: number }
  | { readonly kind: "sequenceSet"; readonly set: SequenceSet }
  | { readonly kind: "uid"; readonly set: SequenceSet }
  | { readonly kind: "modSeq"; readonly modSeq: number; readonly entry: ModSeqEntry | null }
  | { readonly kind: "emailId"; readonly id: string }
  | { readonly kind: "threadId"; readonly id: string }
  | { readonly kind: "not"; readonly key: SearchKey }
  | { readonly kind: "or"; readonly left: SearchKey; readonly right: SearchKey }
  /** A parenthesized list: all keys must match. */
  | { readonly kind: "and"; readonly keys: readonly SearchKey[] };

const FLAG_KEYS = new Set<string>([
  "ALL",
  "ANSWERED",
  "DELETED",
  "DRAFT",
  "FLAGGED",
  "SEEN",
  "UNANSWERED",
  "UNDELETED",
  "UNDRAFT",
  "UNFLAGGED",
  "UNSEEN",
  "NEW",
  "OLD",
  "RECENT",
  "SAVEDATESUPPORTED",
]);
const TEXT_KEYS = new Set<string>(["BCC", "BODY", "CC", "FROM", "SUBJECT", "TEXT", "TO"]);
const DATE_KEYS = new Set<string>([
  "BEFORE",
  "ON",
  "SINCE",
  "SENTBEFORE",
  "SENTON",
  "SENTSINCE",
  "SAVEDBEFORE",
  "SAVEDON",
  "SAVEDSINCE",
]);

/** Reads one search key (a list, a sequence set or a named key); `depth` bounds NOT/OR/() nesting. */
export function parseSearchKey(c: ArgumentCursor, depth = 0): SearchKey {
  if (depth > c.options.maxNesting) c.fail("Search keys nested too deeply");
  if (c.isListStart()) {
    const keys: SearchKey[] = [];
    c.list(() => keys.push(parseSearchKey(c, depth + 1)), false);
    return { kind: "and", keys };
  }
  if (c.isSequenceSetStart()) return { kind: "sequenceSet", set: c.sequenceSet() };
  const name = c.keyword();
  if (FLAG_KEYS.has(name)) return { kind: "flag", name: name as SearchFlagKeyName };
  if (TEXT_KEYS.has(name)) {
    c.expectSpace();
    return { kind: "text", name: name as SearchTextKeyName, value: c.decodeText(c.astringBytes()) };
  }
  if (DATE_KEYS.has(name)) {
    c.expectSpace();
    return { kind: "date", name: name as SearchDateKeyName, date: c.date() };
  }
  switch (name) {
    case "HEADER": {
      c.expectSpace();
      const field = c.astring();
      c.expectSpace();
      return { kind: "header", field, value: c.decodeText(c.astringBytes()) };
    }
    case "KEYWORD":
    case "UNKEYWORD":
      c.expectSpace();
      return { kind: "keyword", isSet: name === "KEYWORD", keyword: c.atom() };
    case "LARGER":
    case "SMALLER":
      c.expectSpace();
      return { kind: "size", isLarger: name === "LARGER", bytes: c.number64() };
    case "OLDER":
    case "YOUNGER":
      c.expectSpace();
      return { kind: "age", isOlder: name === "OLDER", seconds: c.nzNumber() };
    case "UID":
      c.expectSpace();
      return { kind: "uid", set: c.sequenceSet() };
    case "NOT":
      c.expectSpace();
      return { kind: "not", key: parseSearchKey(c, depth + 1) };
    case "OR": {
      c.expectSpace();
      const left = parseSearchKey(c, depth + 1);
      c.expectSpace();
      return { kind: "or", left, right: parseSearchKey(c, depth + 1) };
    }
    case "MODSEQ":
      c.expectSpace();
      return parseModSeqKey(c);
    case "EMAILID":
    case "THREADID": {
      c.expectSpace();
      const id = c.atom();
      return name === "EMAILID" ? { kind: "emailId", id } : { kind: "threadId", id };
    }
    default:
      return c.fail(`Unknown search key ${name}`);
  }
}

function parseModSeqKey(c: ArgumentCursor): SearchKey {
  let entry: ModSeqEntry | null = null;
  if (c.isStringStart()) {
    const name = c.string();
    if (!name.toLowerCase().startsWith("/flags/") || name.length <= 7) c.fail("Invalid MODSEQ entry name");
    c.expectSpace();
    const type = c.keyword().toLowerCase();
    if (type !== "priv" && type !== "shared" && type !== "all") c.fail("Invalid MODSEQ entry type");
    c.expectSpace();
    entry = { flag: name.slice(7), type };
  }
  return { kind: "modSeq", modSeq: c.number64(), entry };
}

/** Reads `search-key *(SP search-key)` up to the end of the command. */
export function parseSearchCriteria(c: ArgumentCursor): SearchKey[] {
  const keys = [parseSearchKey(c)];
  while (c.skipSpace()) keys.push(parseSearchKey(c));
  c.expectEnd();
  return keys;
}

/** `DD-Mon-YYYY` */
export function formatImapDate(date: ImapDate): string {
  return `${date.day}-${MONTHS[date.month - 1]}-${String(date.year).padStart(4, "0")}`;
}

/** Writes a key as a client sends it; `parseSearchKey` reads it back to an equal AST. */
export function formatSearchKey(key: SearchKey, style: StringStyle): string {
  switch (key.kind) {
    case "flag":
      return key.name;
    case "text":
      return `${key.name} ${formatAstring(key.value, style)}`;
    case "header":
      return `HEADER ${formatAstring(key.field, style)} ${formatAstring(key.value, style)}`;
    case "keyword":
      return `${key.isSet ? "KEYWORD" : "UNKEYWORD"} ${key.keyword}`;
    case "date":
      return `${key.name} ${formatImapDate(key.date)}`;
    case "size":
      return `${key.isLarger ? "LARGER" : "SMALLER"} ${key.bytes}`;
    case "age":
      return `${key.isOlder ? "OLDER" : "YOUNGER"} ${key.seconds}`;
    case "sequenceSet":
      return formatSequenceSet(key.set);
    case "uid":
      return `UID ${formatSequenceSet(key.set)}`;
    case "modSeq":
      return key.entry === null
        ? `MODSEQ ${key.modSeq}`
        : `MODSEQ "/flags/${key.entry.flag.replace(/[\\"]/g, (ch) => `\\${ch}`)}" ${key.entry.type} ${key.modSeq}`;
    case "emailId":
      return `EMAILID ${key.id}`;
    case "threadId":
      return `THREADID ${key.id}`;
    case "not":
      return `NOT ${formatSearchKey(key.key, style)}`;
    case "or":
      return `OR ${formatSearchKey(key.left, style)} ${formatSearchKey(key.right, style)}`;
    case "and":
      return `(${key.keys.map((k) => formatSearchKey(k, style)).join(" ")})`;
  }
}

// FETCH and UID FETCH (RFC 9051 §6.4.5) with BINARY (RFC 3516 §4.2), CHANGEDSINCE/VANISHED modifiers
// (RFC 7162 §3.1.4, §3.2.6), PARTIAL modifier (RFC 9394 §3.2), EMAILID/THREADID (RFC 8474), SAVEDATE
// (RFC 8514), PREVIEW (RFC 8970).

import type { ModSeq } from "../../../kit/ids.js";
import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand, PartialRange } from "../command.js";
import {
  type BodySection,
  type FetchAttribute,
  type FetchItems,
  type Partial,
  type SectionText,
  SIMPLE_FETCH_ATTRIBUTES,
} from "../fetch-attribute.js";
import { parsePartialRange } from "./partial-range.js";

const SIMPLE: ReadonlySet<string> = new Set(SIMPLE_FETCH_ATTRIBUTES);

const isNameChar = (b: number): boolean =>
  (b >= 0x41 && b <= 0x5a) ||
  (b >= 0x61 && b <= 0x7a) ||
  (b >= 0x30 && b <= 0x39) ||
  b === 0x2e ||
  b === 0x2d;

function parsePart(c: ArgumentCursor, spec: string): number[] {
  if (spec === "") return [];
  return spec.split(".").map((n) => {
    if (!/^[1-9][0-9]{0,9}$/.test(n) || Number(n) > 0xffff_ffff) c.fail("Invalid section part");
    return Number(n);
  });
}

/** `section-spec` between the brackets (RFC 9051 §9). */
function parseSection(c: ArgumentCursor): BodySection {
  c.expectByte(0x5b, "[");
  const spec = c.scanWhile(isNameChar).toUpperCase();
  const match =
    /^(?:((?:[0-9]+\.)*[0-9]+)(?:\.(HEADER|HEADER\.FIELDS|HEADER\.FIELDS\.NOT|TEXT|MIME))?|(HEADER|HEADER\.FIELDS|HEADER\.FIELDS\.NOT|TEXT))?$/.exec(
      spec,
    );
  if (match === null) c.fail("Invalid section");
  const part = parsePart(c, match[1] ?? "");
  const textName = match[2] ?? match[3];
  let text: SectionText | null = null;
  switch (textName) {
    case undefined:
      break;
    case "HEADER":
      text = { kind: "header" };
      break;
    case "TEXT":
      text = { kind: "text" };
      break;
    case "MIME":
      if (part.length === 0) c.fail("MIME needs a part number");
      text = { kind: "mime" };
      break;
    default: {
      const fields: string[] = [];
      c.expectSpace();
      c.list(() => fields.push(c.astring()), false);
      text = { kind: "headerFields", isNot: textName === "HEADER.FIELDS.NOT", fields };
    }
  }
  c.expectByte(0x5d, "]");
  return { part, text };
}

function parseBinarySection(c: ArgumentCursor): number[] {
  c.expectByte(0x5b, "[");
  const spec = c.scanWhile((b) => (b >= 0x30 && b <= 0x39) || b === 0x2e);
  c.expectByte(0x5d, "]");
  return parsePart(c, spec);
}

function parsePartial(c: ArgumentCursor): Partial | null {
  if (!c.skipByte(0x3c)) return null;
  const offset = c.number64();
  c.expectByte(0x2e, ".");
  const length = c.number64();
  if (length === 0) c.fail("Partial length must be non-zero");
  c.expectByte(0x3e, ">");
  return { offset, length };
}

export function parseFetchAttribute(c: ArgumentCursor): FetchAttribute {
  const name = c.scanWhile(isNameChar).toUpperCase();
  if (name === "") c.fail("Expected a fetch attribute");
  if ((name === "BODY" || name === "BODY.PEEK") && c.peek() === 0x5b) {
    const section = parseSection(c);
    return { kind: "BODY[]", isPeek: name === "BODY.PEEK", section, partial: parsePartial(c) };
  }
  if (name === "BINARY" || name === "BINARY.PEEK") {
    const part = parseBinarySection(c);
    return { kind: "BINARY[]", isPeek: name === "BINARY.PEEK", part, partial: parsePartial(c) };
  }
  if (name === "BINARY.SIZE") return { kind: "BINARY.SIZE", part: parseBinarySection(c) };
  if (name === "PREVIEW") {
    let isLazy = false;
    if (c.peek() === 0x20 && c.peek(1) === 0x28) {
      c.expectSpace();
      c.list(() => {
        if (c.keyword() !== "LAZY") c.fail("Unknown PREVIEW modifier");
        isLazy = true;
      }, false);
    }
    return { kind: "PREVIEW", isLazy };
  }
  if (!SIMPLE.has(name)) c.fail(`Unknown fetch attribute ${name}`);
  return { kind: name } as FetchAttribute;
}

/**
 * Item lists parsed before, by their text: a download pipelines the same `(BODY.PEEK[])` thousands of
 * times, and one shared (immutable) object per text is parsed into one plan (planFetchOf) rather than one
 * per command. Bounded; a full table is emptied and fills again with what clients send now.
 */
const itemsByText = new Map<string, FetchItems>();
const MAX_ITEM_LISTS_KEPT = 256;

function parseFetchItems(c: ArgumentCursor): FetchItems {
  const start = c.mark();
  const items = parseFetchItemsAnew(c);
  const text = c.textSince(start);
  // Header field names are read as UTF-8 only after UTF8=ACCEPT: the same text may parse differently.
  if (text === null) return items;
  const key = c.options.isUtf8Accepted ? `u${text}` : `a${text}`;
  const known = itemsByText.get(key);
  if (known !== undefined) return known;
  if (itemsByText.size >= MAX_ITEM_LISTS_KEPT) itemsByText.clear();
  itemsByText.set(key, items);
  return items;
}

function parseFetchItemsAnew(c: ArgumentCursor): FetchItems {
  if (c.isListStart()) {
    const attributes: FetchAttribute[] = [];
    c.list(() => attributes.push(parseFetchAttribute(c)), false);
    return { kind: "attributes", attributes };
  }
  for (const macro of ["ALL", "FAST", "FULL"] as const)
    if (c.tryKeyword(macro)) return { kind: "macro", macro };
  return { kind: "attributes", attributes: [parseFetchAttribute(c)] };
}

export function parseFetch(c: ArgumentCursor, tag: string, uid: boolean): ImapCommand {
  c.expectSpace();
  const set = c.sequenceSet();
  c.expectSpace();
  const items = parseFetchItems(c);
  let changedSince: ModSeq | null = null;
  let vanished = false;
  let partial: PartialRange | null = null;
  if (c.skipSpace()) {
    c.list(() => {
      const modifier = c.keyword();
      if (modifier === "CHANGEDSINCE") {
        c.expectSpace();
        changedSince = c.number64() as ModSeq;
      } else if (modifier === "VANISHED") {
        vanished = true;
      } else if (modifier === "PARTIAL") {
        if (partial !== null) c.fail("PARTIAL given twice");
        c.expectSpace();
        partial = parsePartialRange(c);
      } else c.fail(`Unknown FETCH modifier ${modifier}`);
    }, false);
    // RFC 7162 §3.2.6: VANISHED only with UID FETCH and CHANGEDSINCE.
    if (vanished && (!uid || changedSince === null)) c.fail("VANISHED needs UID FETCH and CHANGEDSINCE");
  }
  c.expectEnd();
  return { tag, name: "fetch", uid, set, items, changedSince, vanished, partial };
}

// Parameterised header values (RFC 2045 §5.1 `value *(";" parameter)`) with RFC 2231 continuations
// (`name*0`, `name*1*`), charset/language (`name*=utf-8'en'%E2%82%AC`), and tolerant quoting.

import { decodeCharset } from "./charset.js";
import { decodeEncodedWords } from "./encoded-word.js";

/** A parameter as written, continuations joined; the name keeps its case and a trailing `*` when extended. */
export interface RawParam {
  readonly name: string;
  readonly value: string;
}

export interface ParameterizedValue {
  /** The part before the first `;`, trimmed (e.g. `text/plain`, `attachment`). */
  readonly value: string;
  /** Parameters in order of first appearance, RFC 2231 sections joined but not decoded (as Dovecot sends them). */
  readonly rawParams: readonly RawParam[];
  /** Lower-case names to values decoded to UTF-8 (RFC 2231 charsets, stray RFC 2047 words); first wins. */
  readonly params: Readonly<Record<string, string>>;
}

interface Piece {
  readonly name: string;
  readonly value: string;
}

/** Reads the value before the first `;` and the `name=value` pieces after it (quoted values kept verbatim). */
function splitPieces(text: string): { head: string; pieces: Piece[] } {
  const n = text.length;
  let i = 0;
  let head = "";
  let inQuote = false;
  for (; i < n; i++) {
    const c = text[i] as string;
    if (c === '"') inQuote = !inQuote;
    else if (c === ";" && !inQuote) break;
    else head += c;
  }
  const pieces: Piece[] = [];
  while (i < n) {
    i++; // the `;`
    const eq = text.indexOf("=", i);
    const semicolon = text.indexOf(";", i);
    if (eq < 0 || (semicolon >= 0 && semicolon < eq)) {
      // `; name` without a value: ignored.
      if (semicolon < 0) break;
      i = semicolon;
      continue;
    }
    const name = text.slice(i, eq).trim();
    i = eq + 1;
    while (i < n && (text[i] === " " || text[i] === "\t")) i++;
    let value = "";
    let isQuoted = false;
    if (text[i] === '"') {
      isQuoted = true;
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < n) i++;
        value += text[i];
        i++;
      }
      // Skip the closing quote and any junk up to the next `;`.
      const next = text.indexOf(";", i);
      i = next < 0 ? n : next;
    } else {
      const next = text.indexOf(";", i);
      const end = next < 0 ? n : next;
      value = text.slice(i, end).trim();
      i = end;
    }
    if (name === "" || (value === "" && !isQuoted)) continue;
    pieces.push({ name, value });
  }
  return { head: head.trim(), pieces };
}

interface Section {
  readonly index: number;
  readonly isExtended: boolean;
  readonly value: string;
}

interface Assembled {
  name: string;
  isExtended: boolean;
  sections: Section[];
}

function percentDecode(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 && i + 2 < text.length + 1 && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) out.push(c);
    else for (const b of Buffer.from(text[i] as string, "utf8")) out.push(b);
  }
  return Uint8Array.from(out);
}

function decodeAssembled(entry: Assembled): string {
  const sections = [...entry.sections].sort((a, b) => a.index - b.index);
  if (!entry.isExtended) return decodeEncodedWords(sections.map((s) => s.value).join(""));
  let charset: string | null = null;
  const bytes: Uint8Array[] = [];
  sections.forEach((section, i) => {
    let value = section.value;
    if (i === 0 && section.isExtended) {
      const first = value.indexOf("'");
      const second = first >= 0 ? value.indexOf("'", first + 1) : -1;
      if (second >= 0) {
        charset = value.slice(0, first) || null;
        value = value.slice(second + 1);
      }
    }
    bytes.push(section.isExtended ? percentDecode(value) : Buffer.from(value, "utf8"));
  });
  return decodeCharset(Buffer.concat(bytes), charset);
}

/** Parses `value; name=value; ...` tolerantly; never throws. */
export function parseParameterizedValue(text: string): ParameterizedValue {
  const { head, pieces } = splitPieces(text);
  const byName = new Map<string, Assembled>();
  const order: Assembled[] = [];
  for (const piece of pieces) {
    const match = /^([^*]+)(?:\*(\d+))?(\*)?$/.exec(piece.name);
    const baseName = match ? (match[1] as string) : piece.name;
    const index = match?.[2] !== undefined ? Number.parseInt(match[2], 10) : 0;
    const isExtended = match?.[3] !== undefined;
    const key = baseName.toLowerCase();
    let entry = byName.get(key);
    if (entry === undefined) {
      entry = { name: baseName, isExtended: false, sections: [] };
      byName.set(key, entry);
      order.push(entry);
    }
    if (entry.sections.some((s) => s.index === index)) continue;
    if (index === 0 && isExtended) entry.isExtended = true;
    entry.sections.push({ index, isExtended, value: piece.value });
  }
  const rawParams: RawParam[] = [];
  const params: Record<string, string> = {};
  for (const entry of order) {
    const joined = [...entry.sections]
      .sort((a, b) => a.index - b.index)
      .map((s) => s.value)
      .join("");
    const hasExtendedSection = entry.sections.some((s) => s.isExtended);
    rawParams.push({ name: hasExtendedSection ? `${entry.name}*` : entry.name, value: joined });
    const key = entry.name.toLowerCase();
    if (!Object.hasOwn(params, key)) {
      // defineProperty so a parameter named `__proto__` stays a plain own property.
      const value = decodeAssembled({ ...entry, isExtended: hasExtendedSection });
      Object.defineProperty(params, key, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return { value: head, rawParams, params };
}

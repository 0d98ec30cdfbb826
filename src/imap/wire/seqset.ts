// Sequence sets (RFC 9051 §9 `sequence-set`, RFC 5182 `$`): parse and format `1:*,5,7:9`, with `*`
// kept symbolic so the session resolves it against its own view.

/** A message number or `*` (the largest number in use); resolved by the session, never here. */
export type SeqNumber = number | "*";

/** One range, normalized so `from <= to` (with `*` ordered last); a single number has `from === to`. */
export interface SeqRange {
  readonly from: SeqNumber;
  readonly to: SeqNumber;
}

/** A sequence set as sent, or `$`: the result saved by an earlier `SEARCH RETURN (SAVE)`. */
export type SequenceSet =
  | { readonly kind: "ranges"; readonly ranges: readonly SeqRange[] }
  | { readonly kind: "saved" };

const MAX_NUMBER = 0xffff_ffff;

const isLessOrEqual = (a: SeqNumber, b: SeqNumber): boolean =>
  b === "*" ? true : a === "*" ? false : a <= b;

/** A range with its ends put in order (`9:7` → `7:9`, `*:5` → `5:*`). */
export function normalizeRange(a: SeqNumber, b: SeqNumber): SeqRange {
  return isLessOrEqual(a, b) ? { from: a, to: b } : { from: b, to: a };
}

/** `*` or a number of 1 to 10 digits without a leading zero, at most 2^32-1. */
function parseSeqNumber(text: string): SeqNumber | null {
  if (text === "*") return "*";
  const length = text.length;
  if (length === 0 || length > 10) return null;
  const first = text.charCodeAt(0);
  if (first < 0x31 || first > 0x39) return null;
  for (let i = 1; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return null;
  }
  const n = Number(text);
  return n <= MAX_NUMBER ? n : null;
}

/**
 * Parses `sequence-set` or `$`; returns null on anything else (the grammar turns that into BAD).
 * `allowSaved` is false where RFC 5182 does not allow `$` (e.g. inside QRESYNC parameters).
 */
export function parseSequenceSet(text: string, allowSaved = true): SequenceSet | null {
  if (text === "$") return allowSaved ? { kind: "saved" } : null;
  if (text.length === 0) return null;
  const ranges: SeqRange[] = [];
  for (const part of text.split(",")) {
    const colon = part.indexOf(":");
    if (colon < 0) {
      const n = parseSeqNumber(part);
      if (n === null) return null;
      ranges.push({ from: n, to: n });
    } else {
      const a = parseSeqNumber(part.slice(0, colon));
      const b = parseSeqNumber(part.slice(colon + 1));
      if (a === null || b === null) return null;
      ranges.push(normalizeRange(a, b));
    }
  }
  return { kind: "ranges", ranges };
}

/** Formats a set in the canonical form `parseSequenceSet` reads back unchanged. */
export function formatSequenceSet(set: SequenceSet): string {
  if (set.kind === "saved") return "$";
  return set.ranges.map((r) => (r.from === r.to ? String(r.from) : `${r.from}:${r.to}`)).join(",");
}

/** Builds a compact set from concrete numbers (for responses: SEARCH ALL, COPYUID, VANISHED). */
export function sequenceSetFromNumbers(numbers: Iterable<number>): SequenceSet {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const ranges: SeqRange[] = [];
  let start: number | undefined;
  let end = 0;
  for (const n of sorted) {
    if (start !== undefined && n === end + 1) {
      end = n;
      continue;
    }
    if (start !== undefined) ranges.push({ from: start, to: end });
    start = n;
    end = n;
  }
  if (start !== undefined) ranges.push({ from: start, to: end });
  return { kind: "ranges", ranges };
}

/**
 * Expands a set against the largest number in use (`*`), yielding each member in range order (duplicates
 * again; nothing below 1, so `*` in an empty mailbox yields nothing). `$` cannot be expanded here: the session substitutes its saved result.
 */
export function* iterateSequenceSet(
  set: SequenceSet & { kind: "ranges" },
  largest: number,
): Generator<number> {
  for (const range of set.ranges) {
    const from = range.from === "*" ? largest : range.from;
    const to = range.to === "*" ? largest : range.to;
    const low = Math.min(from, to);
    const high = Math.max(from, to);
    for (let n = Math.max(low, 1); n <= high; n++) yield n;
  }
}

/** Whether `n` is in the set, `*` standing for `largest` (a set of ranges; `$` is the session's to expand). */
export function isInSequenceSet(set: SequenceSet & { kind: "ranges" }, n: number, largest: number): boolean {
  return set.ranges.some((range) => {
    const from = range.from === "*" ? largest : range.from;
    const to = range.to === "*" ? largest : range.to;
    return n >= Math.min(from, to) && n <= Math.max(from, to);
  });
}

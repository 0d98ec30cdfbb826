// Comparators (RFC 4790 via RFC 5228 §2.7.3: i;octet, i;ascii-casemap, i;ascii-numeric) and match types
// (RFC 5228 §2.7.1 :is/:contains/:matches, RFC 5231 relational :count/:value). :matches returns the text each
// wildcard matched (RFC 5229 §3.2 match variables); the glob matcher backtracks only to the last `*`, so it
// runs in O(text × pattern) whatever the pattern, and no script-controlled regular expression is ever built.

import type { ComparatorName } from "./validator.js";

export type Relation = "gt" | "ge" | "lt" | "le" | "eq" | "ne";
export type MatchType =
  | { readonly kind: "is" | "contains" | "matches" }
  | { readonly kind: "count" | "value"; readonly relation: Relation };

export interface MatchOptions {
  readonly comparator: ComparatorName;
  readonly match: MatchType;
  /** Shared by every match of one run; each compared character costs a step. */
  readonly budget?: MatchBudget;
}

/** Bounds the matching work of one run, so a hostile pattern on a large body cannot hold the delivery. */
export interface MatchBudget {
  steps: number;
}

/** Thrown when a run's matching budget is spent; the interpreter reports it as a runtime error. */
export class MatchBudgetExceeded extends Error {}

function spend(budget: MatchBudget | undefined, steps: number): void {
  if (budget === undefined) return;
  budget.steps -= steps;
  if (budget.steps < 0)
    throw new MatchBudgetExceeded("the script did too much matching work for one message");
}

/** The outcome of matching: whether it matched and, for a successful :matches, ${0}..${n}. */
export interface MatchResult {
  readonly isMatch: boolean;
  readonly captures: readonly string[] | null;
}

const NO_MATCH: MatchResult = { isMatch: false, captures: null };

/** RFC 4790 §9.2 i;ascii-casemap maps a–z to A–Z (upper case matters for ordering: "_" sorts after "A"). */
function asciiFold(text: string): string {
  return text.replace(/[a-z]+/g, (s) => s.toUpperCase());
}

/** RFC 4790 §9.1: the leading digits as a canonical string; null stands for "positive infinity" (no digits). */
function numericKey(text: string): string | null {
  const m = /^[0-9]+/.exec(text);
  if (m === null) return null;
  const digits = m[0].replace(/^0+(?=.)/, "");
  return digits;
}

/** Orders two values under the comparator: negative, 0 or positive. */
export function compareValues(comparator: ComparatorName, a: string, b: string): number {
  if (comparator === "i;ascii-numeric") {
    const x = numericKey(a);
    const y = numericKey(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    if (x.length !== y.length) return x.length - y.length;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (comparator === "i;ascii-casemap") {
    a = asciiFold(a);
    b = asciiFold(b);
  }
  // i;octet orders by UTF-8 octets; comparing code points gives the same order.
  const ca = Array.from(a);
  const cb = Array.from(b);
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const d = (ca[i] as string).codePointAt(0)! - (cb[i] as string).codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}

function holds(relation: Relation, order: number): boolean {
  switch (relation) {
    case "gt":
      return order > 0;
    case "ge":
      return order >= 0;
    case "lt":
      return order < 0;
    case "le":
      return order <= 0;
    case "eq":
      return order === 0;
    case "ne":
      return order !== 0;
  }
}

type GlobItem =
  | { readonly kind: "char"; readonly ch: string }
  | { readonly kind: "one" }
  | { readonly kind: "star" };

function parseGlob(pattern: string): GlobItem[] {
  const items: GlobItem[] = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === "\\" && i + 1 < chars.length) items.push({ kind: "char", ch: chars[++i] as string });
    // Consecutive stars stay separate items: RFC 5229 numbers every wildcard.
    else if (c === "*") items.push({ kind: "star" });
    else if (c === "?") items.push({ kind: "one" });
    else items.push({ kind: "char", ch: c });
  }
  return items;
}

/**
 * Glob match with captures: each `*` takes as little as possible (RFC 5229 §3.2's example gives "[*] *" on
 * "[acme-users] [fwd] ..." the capture "acme-users"), each `?` exactly one character.
 */
export function globMatch(
  pattern: string,
  text: string,
  isCaseFolded: boolean,
  budget?: MatchBudget,
): string[] | null {
  const items = parseGlob(pattern);
  const chars = Array.from(text);
  const same = isCaseFolded
    ? (a: string, b: string) => a === b || asciiFold(a) === asciiFold(b)
    : (a: string, b: string) => a === b;
  // capture index for each wildcard item, and its [start, end) in `chars`
  const captureOf: number[] = [];
  let wildcards = 0;
  for (const item of items) captureOf.push(item.kind === "char" ? -1 : wildcards++);
  const spans: [number, number][] = Array.from({ length: wildcards }, () => [0, 0]);
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = -1;
  let steps = 0;
  while (t < chars.length) {
    if (++steps === 4096) {
      spend(budget, steps);
      steps = 0;
    }
    const item = items[p];
    if (item !== undefined && item.kind === "star") {
      starP = p;
      starT = t;
      spans[captureOf[p] as number] = [t, t];
      p++;
      continue;
    }
    if (item !== undefined && (item.kind === "one" || same(item.ch, chars[t] as string))) {
      if (item.kind === "one") spans[captureOf[p] as number] = [t, t + 1];
      p++;
      t++;
      continue;
    }
    if (starP < 0) return null;
    // Backtrack: the last star takes one more character and everything after it is matched again.
    starT++;
    spans[captureOf[starP] as number] = [spans[captureOf[starP] as number]![0], starT];
    p = starP + 1;
    t = starT;
  }
  spend(budget, steps);
  while (p < items.length && items[p]?.kind === "star") {
    spans[captureOf[p] as number] = [t, t];
    p++;
  }
  if (p !== items.length) return null;
  return [text, ...spans.map(([s, e]) => chars.slice(s, e).join(""))];
}

function matchOne(options: MatchOptions, value: string, key: string): MatchResult {
  const { comparator, match, budget } = options;
  spend(budget, value.length + key.length);
  switch (match.kind) {
    case "is":
      return { isMatch: compareValues(comparator, value, key) === 0, captures: null };
    case "contains": {
      if (comparator === "i;ascii-casemap")
        return { isMatch: asciiFold(value).includes(asciiFold(key)), captures: null };
      return { isMatch: value.includes(key), captures: null };
    }
    case "matches": {
      const captures = globMatch(key, value, comparator === "i;ascii-casemap", budget);
      return captures === null ? NO_MATCH : { isMatch: true, captures };
    }
    case "value":
      return { isMatch: holds(match.relation, compareValues(comparator, value, key)), captures: null };
    case "count":
      return NO_MATCH;
  }
}

/**
 * RFC 5228 §2.7.1: true when any value matches any key (for :count, when the number of values relates to
 * any key). Captures come from the first successful :matches pair.
 */
export function matchAny(
  options: MatchOptions,
  values: readonly string[],
  keys: readonly string[],
): MatchResult {
  if (options.match.kind === "count") {
    const count = String(values.length);
    const relation = options.match.relation;
    const isMatch = keys.some((key) => holds(relation, compareValues(options.comparator, count, key)));
    return { isMatch, captures: null };
  }
  for (const value of values) {
    for (const key of keys) {
      const result = matchOne(options, value, key);
      if (result.isMatch) return result;
    }
  }
  return NO_MATCH;
}

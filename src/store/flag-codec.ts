// How backends persist a FlagSet: system flags as a bitmask (fast to filter and count in SQL) and
// keywords as one space-separated string (keywords are atoms, RFC 9051 §9 `flag-keyword`, so no spaces).
import { type FlagSet, SYSTEM_FLAGS, type SystemFlag } from "./mail-store.js";

const BIT_OF: Readonly<Record<SystemFlag, number>> = {
  "\\Seen": 1,
  "\\Answered": 2,
  "\\Flagged": 4,
  "\\Deleted": 8,
  "\\Draft": 16,
};

export const SEEN_BIT = BIT_OF["\\Seen"];
export const DELETED_BIT = BIT_OF["\\Deleted"];
export const DRAFT_BIT = BIT_OF["\\Draft"];

export function encodeSystemFlags(flags: ReadonlySet<SystemFlag>): number {
  let bits = 0;
  for (const flag of flags) bits |= BIT_OF[flag];
  return bits;
}

/** The 32 possible system-flag sets, decoded once: a 100,000-message snapshot shares them. */
const SYSTEM_SETS: readonly ReadonlySet<SystemFlag>[] = Array.from({ length: 32 }, (_, bits) => {
  const flags = new Set<SystemFlag>();
  for (const flag of SYSTEM_FLAGS) if (bits & BIT_OF[flag]) flags.add(flag);
  return flags;
});

export function decodeSystemFlags(bits: number): ReadonlySet<SystemFlag> {
  return SYSTEM_SETS[bits & 31] as ReadonlySet<SystemFlag>;
}

export function encodeKeywords(keywords: readonly string[]): string {
  return keywords.join(" ");
}

export function decodeKeywords(text: string): readonly string[] {
  return text === "" ? [] : text.split(" ");
}

/**
 * Decoded flag sets are immutable and few (most messages share a handful of combinations), so they are
 * shared: a session's snapshot of a large mailbox then holds one small object per distinct combination
 * instead of a Set and an array per message. The cache is bounded and simply restarts when full.
 */
const FLAG_SET_CACHE_LIMIT = 4096;
const flagSets = new Map<string, FlagSet>();

export function decodeFlagSet(bits: number, keywords: string): FlagSet {
  const key = keywords === "" ? String(bits) : `${bits} ${keywords}`;
  let flags = flagSets.get(key);
  if (!flags) {
    if (flagSets.size >= FLAG_SET_CACHE_LIMIT) flagSets.clear();
    flags = Object.freeze({
      system: decodeSystemFlags(bits),
      keywords: Object.freeze(decodeKeywords(keywords)),
    });
    flagSets.set(key, flags);
  }
  return flags;
}

/**
 * Merges keyword lists case-insensitively (RFC 9051 §2.3.2), keeping the first spelling seen,
 * sorted so equal sets encode equally.
 */
export function normalizeKeywords(keywords: Iterable<string>): string[] {
  const byLower = new Map<string, string>();
  for (const keyword of keywords) {
    const lower = keyword.toLowerCase();
    if (!byLower.has(lower)) byLower.set(lower, keyword);
  }
  return [...byLower.values()].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
}

/** Applies add/remove/replace of keywords, case-insensitively. */
export function applyKeywordUpdate(
  current: readonly string[],
  operation: "add" | "remove" | "replace",
  keywords: readonly string[],
): string[] {
  if (operation === "replace") return normalizeKeywords(keywords);
  if (operation === "add") return normalizeKeywords([...current, ...keywords]);
  const removed = new Set(keywords.map((k) => k.toLowerCase()));
  return current.filter((k) => !removed.has(k.toLowerCase()));
}

// LIST/LSUB mailbox patterns (RFC 9051 §6.3.9): reference name joined to the pattern, `*` matching
// anything, `%` anything but the hierarchy delimiter, and a leading INBOX compared case-insensitively.
import { HIERARCHY_DELIMITER, INBOX } from "../../mail/mailbox-name.js";

type PatternToken = { readonly kind: "*" | "%" } | { readonly kind: "literal"; readonly char: string };

/** A compiled pattern; `matches` runs in O(name × pattern) time, never backtracking. */
export interface MailboxPattern {
  /** The joined pattern, as matched (reference + pattern, NFC). */
  readonly source: string;
  /** Whether the last character is `%` (RFC 3501 §6.3.9: LSUB then shows unsubscribed parents). */
  readonly endsWithPercent: boolean;
  matches(name: string): boolean;
}

/**
 * Joins the reference name to the pattern the way Dovecot does: plain concatenation, so the client
 * says `"Work/" "%"` to list below Work (RFC 9051 leaves other forms to the implementation).
 */
export function joinReference(reference: string, pattern: string): string {
  return `${reference}${pattern}`;
}

export function compileMailboxPattern(reference: string, pattern: string): MailboxPattern {
  const source = joinReference(reference, pattern).normalize("NFC");
  const tokens = tokenize(source);
  const literalCount = tokens.filter((t) => t.kind === "literal").length;
  return {
    source,
    endsWithPercent: tokens.at(-1)?.kind === "%",
    matches: (name) => matchTokens(tokens, literalCount, name),
  };
}

/** True if any of the patterns matches the name. */
export function matchesAny(patterns: readonly MailboxPattern[], name: string): boolean {
  return patterns.some((p) => p.matches(name));
}

/** Splits into code points and collapses wildcard runs ("%*" and "**" are "*", "%%" is "%"). */
function tokenize(source: string): PatternToken[] {
  const tokens: PatternToken[] = [];
  for (const char of source) {
    if (char !== "*" && char !== "%") {
      tokens.push({ kind: "literal", char });
      continue;
    }
    const last = tokens.at(-1);
    if (last !== undefined && last.kind !== "literal") {
      if (char === "*") tokens[tokens.length - 1] = { kind: "*" };
      continue;
    }
    tokens.push({ kind: char });
  }
  return tokens;
}

function matchTokens(tokens: readonly PatternToken[], literalCount: number, name: string): boolean {
  const chars = Array.from(name);
  // Every literal consumes one character: a pattern with more literals than the name cannot match.
  if (literalCount > chars.length) return false;
  // Dovecot's rule: when the name begins with the INBOX level, those five characters match in any case.
  const caseInsensitiveEnd =
    name.startsWith(INBOX) && (name.length === INBOX.length || name[INBOX.length] === HIERARCHY_DELIMITER)
      ? INBOX.length
      : 0;
  const width = tokens.length + 1;
  // Row i says which pattern prefixes match the first i characters of the name.
  let previous = new Uint8Array(width);
  let current = new Uint8Array(width);
  previous[0] = 1;
  for (let j = 1; j < width; j++) {
    previous[j] = tokens[j - 1]?.kind === "literal" ? 0 : (previous[j - 1] ?? 0);
  }
  for (let i = 1; i <= chars.length; i++) {
    const char = chars[i - 1] as string;
    current[0] = 0;
    for (let j = 1; j < width; j++) {
      const token = tokens[j - 1] as PatternToken;
      if (token.kind === "literal") {
        const isEqual = token.char === char || (i <= caseInsensitiveEnd && token.char.toUpperCase() === char);
        current[j] = isEqual ? (previous[j - 1] ?? 0) : 0;
      } else {
        const canExtend = token.kind === "*" || char !== HIERARCHY_DELIMITER;
        current[j] = (current[j - 1] ?? 0) | (canExtend ? (previous[j] ?? 0) : 0);
      }
    }
    [previous, current] = [current, previous];
  }
  return previous[width - 1] === 1;
}

// RFC 5228 §8.1 lexical tokens: identifiers, tags, numbers with K/M/G quantifiers, quoted strings, multi-line
// `text:` strings (dot-stuffed), hash and bracket comments. Every token and error carries a 1-based line and
// column so ManageSieve CHECKSCRIPT can point at the fault. Pure, never throws.

import { SieveSyntaxError } from "./sieve-error.js";

export interface Position {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column in characters (UTF-16 code units) of that line. */
  readonly column: number;
}

export type Token =
  | (Position & { readonly kind: "identifier"; readonly value: string })
  | (Position & { readonly kind: "tag"; readonly value: string })
  | (Position & { readonly kind: "number"; readonly value: number })
  | (Position & { readonly kind: "string"; readonly value: string; readonly isMultiline: boolean })
  | (Position & { readonly kind: "special"; readonly value: "[" | "]" | "(" | ")" | "," | ";" | "{" | "}" })
  | (Position & { readonly kind: "end" });

/** Numbers are unsigned and at most 2^31-1 after the quantifier (RFC 5228 §2.4.1 requires 2^31 at least). */
const MAX_NUMBER = 2 ** 31 - 1;
const QUANTIFIERS: Readonly<Record<string, number>> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
const PLAIN_RUN = /[^"\\\n]*/y;
const SPECIALS = new Set(["[", "]", "(", ")", ",", ";", "{", "}"]);

function isAlpha(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
}
function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

/** Splits `source` into tokens, ending with an `end` token; throws SieveSyntaxError at the first bad byte. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  // A UTF-8 byte order mark some editors write is not part of the script; columns count after it.
  let i = source.startsWith("\uFEFF") ? 1 : 0;
  let line = 1;
  let lineStart = i;
  const n = source.length;
  const here = (): Position => ({ line, column: i - lineStart + 1 });
  const fail = (pos: Position, message: string): never => {
    throw new SieveSyntaxError(pos.line, pos.column, message);
  };
  const newline = (): void => {
    line++;
    lineStart = i;
  };

  while (i < n) {
    const c = source[i] as string;
    if (c === "\n") {
      i++;
      newline();
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < n && source[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && source[i + 1] === "*") {
      const start = here();
      i += 2;
      for (;;) {
        if (i >= n) fail(start, "unterminated comment: missing */");
        if (source[i] === "*" && source[i + 1] === "/") {
          i += 2;
          break;
        }
        if (source[i] === "\n") {
          i++;
          newline();
        } else i++;
      }
      continue;
    }
    const pos = here();
    if (SPECIALS.has(c)) {
      tokens.push({ kind: "special", value: c as "[", ...pos });
      i++;
      continue;
    }
    if (c === ":") {
      const start = ++i;
      if (i >= n || !isAlpha(source[i] as string)) fail(pos, "expected a tag name after ':'");
      while (i < n && (isAlpha(source[i] as string) || isDigit(source[i] as string))) i++;
      tokens.push({ kind: "tag", value: source.slice(start, i).toLowerCase(), ...pos });
      continue;
    }
    if (isDigit(c)) {
      const start = i;
      while (i < n && isDigit(source[i] as string)) i++;
      let value = Number(source.slice(start, i));
      const q = QUANTIFIERS[(source[i] ?? "").toLowerCase()];
      if (q !== undefined) {
        value *= q;
        i++;
      }
      if (i < n && (isAlpha(source[i] as string) || isDigit(source[i] as string))) {
        fail(here(), `unexpected character '${source[i]}' after number`);
      }
      if (value > MAX_NUMBER) fail(pos, "number too large (at most 2147483647)");
      tokens.push({ kind: "number", value, ...pos });
      continue;
    }
    if (isAlpha(c)) {
      const start = i;
      while (i < n && (isAlpha(source[i] as string) || isDigit(source[i] as string))) i++;
      const word = source.slice(start, i);
      if (word.toLowerCase() === "text" && source[i] === ":") {
        i++;
        tokens.push({ kind: "string", value: readMultiline(pos), isMultiline: true, ...pos });
        continue;
      }
      tokens.push({ kind: "identifier", value: word.toLowerCase(), ...pos });
      continue;
    }
    if (c === '"') {
      i++;
      let value = "";
      for (;;) {
        // Copy the run up to the next quote, backslash or newline in one slice.
        PLAIN_RUN.lastIndex = i;
        PLAIN_RUN.test(source);
        if (PLAIN_RUN.lastIndex > i) {
          value += source.slice(i, PLAIN_RUN.lastIndex);
          i = PLAIN_RUN.lastIndex;
        }
        if (i >= n) fail(pos, "unterminated string: missing closing quote");
        const d = source[i] as string;
        if (d === '"') {
          i++;
          break;
        }
        if (d === "\\" && i + 1 < n) {
          // RFC 5228 §2.4.2: "\\" and "\"" are escapes; any other backslash is dropped.
          i++;
          const e = source[i] as string;
          value += e;
          i++;
          if (e === "\n") newline();
          continue;
        }
        value += d;
        i++;
        if (d === "\n") newline();
      }
      tokens.push({ kind: "string", value, isMultiline: false, ...pos });
      continue;
    }
    fail(pos, `unexpected character '${c}'`);
  }
  tokens.push({ kind: "end", ...here() });
  return tokens;

  // RFC 5228 §2.4.2 multi-line: "text:" [whitespace] [hash-comment] CRLF, then lines up to "." CRLF;
  // a line starting with ".." stands for one starting with ".".
  function readMultiline(pos: Position): string {
    while (i < n && (source[i] === " " || source[i] === "\t")) i++;
    if (source[i] === "#") while (i < n && source[i] !== "\n") i++;
    if (source[i] === "\r") i++;
    if (source[i] !== "\n") fail(here(), "expected end of line after text:");
    i++;
    newline();
    const lines: string[] = [];
    for (;;) {
      if (i >= n) fail(pos, "unterminated multi-line string: missing a line with a single '.'");
      let end = source.indexOf("\n", i);
      if (end < 0) end = n;
      let text = source.slice(i, end);
      if (text.endsWith("\r")) text = text.slice(0, -1);
      i = Math.min(end + 1, n);
      if (end < n) newline();
      if (text === ".") break;
      lines.push(text.startsWith("..") ? text.slice(1) : text);
    }
    return lines.map((l) => `${l}\r\n`).join("");
  }
}

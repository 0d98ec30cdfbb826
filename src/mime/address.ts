// RFC 5322 §3.4 address lists (mailboxes, angle-addrs with obsolete routes §4.4, groups), parsed tolerantly
// into the pieces an IMAP ENVELOPE needs (RFC 9051 §7.5.2: name, adl, mailbox, host). Never throws.

/** One parsed address; `name` and the parts keep encoded-words undecoded (the ENVELOPE sends them raw). */
export interface ParsedMailbox {
  readonly kind: "mailbox";
  readonly name: string | null;
  readonly route: string | null;
  readonly mailbox: string;
  readonly host: string;
}

export interface ParsedGroup {
  readonly kind: "group";
  readonly name: string;
  readonly members: readonly ParsedMailbox[];
}

export type ParsedAddress = ParsedMailbox | ParsedGroup;

/** Placeholders Dovecot uses when an address lacks a part, so clients always see a full address. */
export const MISSING_MAILBOX = "MISSING_MAILBOX";
export const MISSING_DOMAIN = "MISSING_DOMAIN";

interface Token {
  readonly kind: "word" | "quoted" | "comment" | "literal" | "special";
  readonly text: string;
  /** Whether whitespace separated this token from the one before it. */
  readonly isSpaced: boolean;
}

const SPECIALS = new Set(["<", ">", "@", ",", ";", ":"]);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  let isSpaced = false;
  const push = (kind: Token["kind"], value: string): void => {
    tokens.push({ kind, text: value, isSpaced });
    isSpaced = false;
  };
  while (i < n) {
    const c = text[i] as string;
    if (c === " " || c === "\t" || c === "\r" || c === "\n") {
      isSpaced = true;
      i++;
    } else if (c === '"') {
      let value = "";
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < n) i++;
        value += text[i];
        i++;
      }
      i++;
      push("quoted", value);
    } else if (c === "(") {
      let depth = 1;
      let value = "";
      i++;
      while (i < n && depth > 0) {
        const d = text[i] as string;
        if (d === "\\" && i + 1 < n) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        if (d === "(") depth++;
        else if (d === ")") {
          depth--;
          if (depth === 0) break;
        }
        value += d;
        i++;
      }
      i++;
      push("comment", value.trim());
    } else if (c === "[") {
      const close = text.indexOf("]", i);
      const end = close < 0 ? n : close + 1;
      push("literal", text.slice(i, end));
      i = end;
    } else if (SPECIALS.has(c)) {
      push("special", c);
      i++;
    } else {
      const start = i;
      // A stray `)` or `]` is junk: step over it so the scan always advances.
      if (c === ")" || c === "]") {
        i++;
        continue;
      }
      while (i < n && !' \t\r\n"()[<>@,;:'.includes(text[i] as string)) i++;
      push("word", text.slice(start, i));
    }
  }
  return tokens;
}

function isSpecial(token: Token | undefined, text: string): boolean {
  return token !== undefined && token.kind === "special" && token.text === text;
}

/** Joins phrase tokens the way a display name reads: words separated by single spaces. */
function joinPhrase(tokens: readonly Token[]): string | null {
  const words = tokens.filter((t) => t.kind === "word" || t.kind === "quoted").map((t) => t.text);
  return words.length > 0 ? words.join(" ") : null;
}

function lastComment(tokens: readonly Token[]): string | null {
  for (let i = tokens.length - 1; i >= 0; i--) {
    const token = tokens[i] as Token;
    if (token.kind === "comment" && token.text !== "") return token.text;
  }
  return null;
}

/** Builds a mailbox from an addr-spec's tokens (`local@domain`), tolerating missing parts. */
function addrSpec(tokens: readonly Token[]): { mailbox: string; host: string } {
  const parts = tokens.filter((t) => t.kind !== "comment");
  let at = -1;
  for (let i = 0; i < parts.length; i++) {
    if (isSpecial(parts[i], "@")) {
      at = i;
      break;
    }
  }
  const localTokens = at >= 0 ? parts.slice(0, at) : parts;
  // The domain ends at the first whitespace-separated word (a missing comma): the rest is junk, as in Dovecot.
  const afterAt = at >= 0 ? parts.slice(at + 1) : [];
  const junk = afterAt.findIndex(
    (t, i) => i > 0 && t.isSpaced && !isSpecial(t, ".") && !afterAt[i - 1]?.text.endsWith("."),
  );
  const domainTokens = junk >= 0 ? afterAt.slice(0, junk) : afterAt;
  const local = localTokens.map((t) => t.text).join("");
  const domain = domainTokens.map((t) => t.text).join("");
  return { mailbox: local, host: domain };
}

/** Parses one mailbox from tokens [start, end) (no top-level commas inside). */
function parseMailbox(tokens: readonly Token[]): ParsedMailbox | null {
  if (tokens.every((t) => t.kind === "comment")) return null;
  const open = tokens.findIndex((t) => isSpecial(t, "<"));
  let name: string | null;
  let route: string | null = null;
  let spec: { mailbox: string; host: string };
  if (open >= 0) {
    name = joinPhrase(tokens.slice(0, open));
    let close = tokens.findIndex((t, i) => i > open && isSpecial(t, ">"));
    if (close < 0) close = tokens.length;
    let inner = tokens.slice(open + 1, close);
    const colon = inner.findIndex((t) => isSpecial(t, ":"));
    if (colon >= 0 && isSpecial(inner[0], "@")) {
      route = inner
        .slice(0, colon)
        .map((t) => t.text)
        .join("");
      inner = inner.slice(colon + 1);
    }
    spec = addrSpec(inner);
    // Dovecot (and most clients) take a comment as the name only for a bare addr-spec, and "" means no name.
    if (name === "") name = null;
  } else {
    spec = addrSpec(tokens);
    name = lastComment(tokens);
  }
  // A lone `@` still yields an address (with placeholders), like Dovecot; only comments yield nothing.
  return {
    kind: "mailbox",
    name,
    route,
    mailbox: spec.mailbox === "" ? MISSING_MAILBOX : spec.mailbox,
    host: spec.host === "" ? MISSING_DOMAIN : spec.host,
  };
}

/** Parses an RFC 5322 address-list (unfolded field value); junk yields best-effort entries, never an error. */
export function parseAddressList(text: string): ParsedAddress[] {
  const tokens = tokenize(text);
  const result: ParsedAddress[] = [];
  let i = 0;
  let group: { name: string; members: ParsedMailbox[] } | null = null;
  const closeGroup = (): void => {
    if (group !== null) result.push({ kind: "group", name: group.name, members: group.members });
    group = null;
  };
  while (i < tokens.length) {
    // Collect one item up to a top-level `,` or `;`, noticing a group's `:` before any `<` or `@`.
    const start = i;
    let isInAngle = false;
    let groupColon = -1;
    let sawAt = false;
    while (i < tokens.length) {
      const token = tokens[i] as Token;
      if (token.kind === "special") {
        if (token.text === "<") isInAngle = true;
        else if (token.text === ">") isInAngle = false;
        else if (token.text === "@") sawAt = true;
        else if (!isInAngle && token.text === ":" && !sawAt && group === null && groupColon < 0) {
          groupColon = i;
          break;
        } else if (!isInAngle && (token.text === "," || token.text === ";")) break;
      }
      i++;
    }
    if (groupColon >= 0) {
      group = { name: joinPhrase(tokens.slice(start, groupColon)) ?? "", members: [] };
      i = groupColon + 1;
      continue;
    }
    const mailbox = parseMailbox(tokens.slice(start, i));
    if (mailbox !== null) {
      if (group !== null) (group as { members: ParsedMailbox[] }).members.push(mailbox);
      else result.push(mailbox);
    }
    const separator = tokens[i];
    i++;
    if (isSpecial(separator, ";")) closeGroup();
  }
  closeGroup();
  return result;
}

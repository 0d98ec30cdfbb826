// String handling shared by the validator and the interpreter: RFC 5228 §2.4.2.4 encoded characters
// (`${hex:41}`, `${unicode:1F600}`) decoded at compile time, and RFC 5229 §3 variable references
// (`${name}`, `${1}`) expanded at run time.

// The body admits only hex digits and blanks, so in "${hex:4${hex:30}}" the inner sequence is the one decoded.
const ENCODED = /\$\{(hex|unicode):([0-9a-fA-F \t\r\n]*)\}/gi;
const HEX_PAIR = /^[0-9a-f]{1,2}$/i;
const UNICODE_HEX = /^[0-9a-f]+$/i;

/** Decodes encoded-character sequences; returns an error text for an invalid Unicode code point (§2.4.2.4). */
export function decodeEncodedCharacters(text: string): { value: string } | { error: string } {
  if (!text.includes("${")) return { value: text };
  let error: string | null = null;
  const value = text.replace(ENCODED, (whole, kind: string, body: string) => {
    const items = body
      .trim()
      .split(/[ \t\r\n]+/)
      .filter((s) => s !== "");
    if (kind.toLowerCase() === "hex") {
      if (items.length === 0 || !items.every((h) => HEX_PAIR.test(h))) return whole;
      return Buffer.from(items.map((h) => Number.parseInt(h, 16))).toString("utf8");
    }
    if (items.length === 0 || !items.every((h) => UNICODE_HEX.test(h))) return whole;
    let out = "";
    for (const h of items) {
      const cp = h.replace(/^0+/, "").length > 6 ? Number.POSITIVE_INFINITY : Number.parseInt(h, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        error ??= `invalid Unicode code point U+${h.toUpperCase()} in \${unicode:...}`;
        return whole;
      }
      out += String.fromCodePoint(cp);
    }
    return out;
  });
  return error === null ? { value } : { error };
}

/** RFC 5229 §3 variable-name (identifier, optionally namespaced with dots) or a match variable number. */
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|[0-9]+)\}/g;
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether `text` holds any variable reference (so the value is only known at run time). */
export function hasVariableReference(text: string): boolean {
  REFERENCE.lastIndex = 0;
  return REFERENCE.test(text);
}

/** The namespaces (the part before the last dot) of every namespaced reference in `text`, lower-case. */
export function referencedNamespaces(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(REFERENCE)) {
    const name = m[1] as string;
    const dot = name.lastIndexOf(".");
    if (dot > 0) out.push(name.slice(0, dot).toLowerCase());
  }
  return out;
}

/**
 * Expands `${...}` references (§3): names are case-insensitive; unknown variables and match variables beyond
 * those set expand to "". Expansion is single-pass: a value containing "${x}" is not expanded again.
 * `maxLength` bounds the result so a script cannot build unbounded strings.
 */
export function expandVariables(
  text: string,
  lookup: (name: string) => string | undefined,
  maxLength: number,
): string {
  if (!text.includes("${")) return truncate(text, maxLength);
  // Built piece by piece and stopped at the cap: "${a}" repeated in a large script must not build gigabytes first.
  let out = "";
  let last = 0;
  for (const m of text.matchAll(REFERENCE)) {
    out += text.slice(last, m.index) + (lookup((m[1] as string).toLowerCase()) ?? "");
    last = m.index + m[0].length;
    if (out.length >= maxLength) return truncate(out, maxLength);
  }
  return truncate(out + text.slice(last), maxLength);
}

/** Cuts `text` to at most `maxLength` UTF-16 units without leaving half a surrogate pair. */
export function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const code = text.charCodeAt(maxLength - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? maxLength - 1 : maxLength);
}

// Turns HTML (text/html parts, RFC 2854) into plain text for search and preview: one linear scan, no regex
// backtracking; script/style/head content dropped, block tags become line breaks, entities decoded.

const BLOCK_TAGS = new Set([
  "br",
  "p",
  "div",
  "tr",
  "li",
  "ul",
  "ol",
  "table",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "blockquote",
  "pre",
  "hr",
  "section",
  "article",
  "header",
  "footer",
  "td",
  "th",
  "dd",
  "dt",
]);
const SKIPPED_TAGS = new Set(["script", "style", "head", "title", "template"]);

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  copy: "©",
  reg: "®",
  trade: "™",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  bull: "•",
  euro: "€",
  pound: "£",
  yen: "¥",
  cent: "¢",
  laquo: "«",
  raquo: "»",
  middot: "·",
  shy: "",
  auml: "ä",
  ouml: "ö",
  uuml: "ü",
  Auml: "Ä",
  Ouml: "Ö",
  Uuml: "Ü",
  szlig: "ß",
  eacute: "é",
  egrave: "è",
  agrave: "à",
  aacute: "á",
  ccedil: "ç",
  ntilde: "ñ",
  oacute: "ó",
  iacute: "í",
  uacute: "ú",
};

function decodeEntity(name: string): string | null {
  if (name.startsWith("#")) {
    const isHex = name[1] === "x" || name[1] === "X";
    const code = Number.parseInt(name.slice(isHex ? 2 : 1), isHex ? 16 : 10);
    if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
      return null;
    return String.fromCodePoint(code);
  }
  return NAMED_ENTITIES[name] ?? NAMED_ENTITIES[name.toLowerCase()] ?? null;
}

/** Converts HTML to readable plain text; tolerant of broken markup. */
export function htmlToText(html: string): string {
  const out: string[] = [];
  let i = 0;
  const n = html.length;
  let skipUntil: string | null = null;
  while (i < n) {
    const lt = html.indexOf("<", i);
    const textEnd = lt < 0 ? n : lt;
    if (skipUntil === null && textEnd > i) out.push(decodeEntities(html.slice(i, textEnd)));
    if (lt < 0) break;
    if (html.startsWith("<!--", lt)) {
      const close = html.indexOf("-->", lt + 4);
      i = close < 0 ? n : close + 3;
      continue;
    }
    const gt = html.indexOf(">", lt + 1);
    if (gt < 0) break;
    const tag = html.slice(lt + 1, gt);
    const nameMatch = /^\/?([a-zA-Z][a-zA-Z0-9]*)/.exec(tag);
    const name = nameMatch ? (nameMatch[1] as string).toLowerCase() : "";
    const isClosing = tag.startsWith("/");
    if (skipUntil !== null) {
      if (isClosing && name === skipUntil) skipUntil = null;
    } else if (!isClosing && SKIPPED_TAGS.has(name) && !tag.endsWith("/")) {
      skipUntil = name;
    } else if (BLOCK_TAGS.has(name)) {
      out.push("\n");
    }
    i = gt + 1;
  }
  return out.join("");
}

function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});?/g, (whole, name: string) => {
    return decodeEntity(name) ?? whole;
  });
}

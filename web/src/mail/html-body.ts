// Turns a message's HTML into a document for a sandboxed iframe (no scripts may run in it): DOMPurify
// removes scripts, event handlers, forms and other active content; remote images (and remote url()s in
// CSS) are removed unless the user allowed them for this message; cid: images become data: URLs of
// the message's own parts; links open in a new tab without referrer. The document carries its own CSP
// too, so whatever the sanitizer misses still cannot load anything (docs/webmail.md, security model).
import DOMPurify from "dompurify";

export interface RenderedHtml {
  readonly srcdoc: string;
  /** How many remote resources were blocked (0: nothing to allow). */
  readonly blockedCount: number;
}

const REMOTE_URL = /^\s*(https?:)?\/\//i;
const CSS_REMOTE_URL = /url\(\s*(['"]?)\s*(https?:)?\/\/[^)]*\)/gi;
const CSS_IMPORT = /@import[^;]*;?/gi;
const HAS_CSS_REMOTE_URL = /url\(\s*(['"]?)\s*(https?:)?\/\//i;

export function renderHtmlBody(
  html: string,
  options: { allowRemote: boolean; inlineImages: ReadonlyMap<string, string> },
): RenderedHtml {
  let blockedCount = 0;
  const purify = DOMPurify();
  purify.addHook("afterSanitizeAttributes", (node) => {
    const element = node as Element;
    for (const attribute of ["src", "background", "poster"]) {
      const value = element.getAttribute(attribute);
      if (value === null) continue;
      if (/^cid:/i.test(value.trim())) {
        const url = options.inlineImages.get(cidOf(value));
        if (url === undefined) element.removeAttribute(attribute);
        else element.setAttribute(attribute, url);
      } else if (REMOTE_URL.test(value) && !options.allowRemote) {
        blockedCount++;
        element.removeAttribute(attribute);
        element.setAttribute(`data-blocked-${attribute}`, value);
      }
    }
    // SVG pulls images through href (<image>, <use>, <feImage>): only links may point elsewhere.
    if (element.tagName !== "A") {
      for (const attribute of ["href", "xlink:href"]) {
        const value = element.getAttribute(attribute);
        if (
          value !== null &&
          (REMOTE_URL.test(value) || /^\s*[a-z][a-z0-9+.-]*:/i.test(value)) &&
          !/^\s*data:/i.test(value)
        ) {
          if (!options.allowRemote) blockedCount++;
          element.removeAttribute(attribute);
        }
      }
    }
    if (element.hasAttribute("srcset") && !options.allowRemote) {
      blockedCount++;
      element.removeAttribute("srcset");
    }
    const style = element.getAttribute("style");
    if (style !== null && !options.allowRemote && HAS_CSS_REMOTE_URL.test(style)) {
      blockedCount++;
      element.setAttribute("style", style.replace(CSS_REMOTE_URL, "none"));
    }
    if (element.tagName === "A" && element.hasAttribute("href")) {
      element.setAttribute("target", "_blank");
      element.setAttribute("rel", "noopener noreferrer");
    }
  });
  purify.addHook("uponSanitizeElement", (node, data) => {
    if (data.tagName === "style" && node.textContent !== null) {
      let css = node.textContent.replace(CSS_IMPORT, "");
      if (!options.allowRemote && HAS_CSS_REMOTE_URL.test(css)) {
        blockedCount++;
        css = css.replace(CSS_REMOTE_URL, "none");
      }
      node.textContent = css;
    }
  });
  const clean = purify.sanitize(html, {
    WHOLE_DOCUMENT: false,
    FORBID_TAGS: ["form", "input", "button", "select", "textarea", "base", "meta", "link", "object", "embed"],
    FORBID_ATTR: ["action", "formaction", "ping"],
    ADD_ATTR: ["target"],
  });
  const imgSrc = options.allowRemote ? "data: https: http:" : "data:";
  const policy = `default-src 'none'; img-src ${imgSrc}; style-src 'unsafe-inline'; font-src data:; media-src data:`;
  const srcdoc = [
    "<!doctype html><html><head><meta charset='utf-8'>",
    `<meta http-equiv="Content-Security-Policy" content="${policy}">`,
    '<meta name="referrer" content="no-referrer">',
    "<style>html{color-scheme:light}body{margin:0;padding:12px;font:14px/1.5 system-ui,sans-serif;color:#111;background:#fff;overflow-wrap:anywhere}img{max-width:100%;height:auto}</style>",
    "</head><body>",
    clean,
    "</body></html>",
  ].join("");
  return { srcdoc, blockedCount };
}

/** "cid:<abc@x>" or "cid:abc%40x" → "abc@x" (as the part's Content-ID, without angle brackets). */
export function cidOf(reference: string): string {
  const value = reference.trim().replace(/^cid:/i, "");
  let decoded = value;
  try {
    decoded = decodeURIComponent(value);
  } catch {}
  return decoded.replace(/^<|>$/g, "");
}

/** The plain text of an HTML fragment (for replies to HTML-only messages). */
export function htmlToText(html: string): string {
  const doc = new DOMParser().parseFromString(DOMPurify.sanitize(html), "text/html");
  return doc.body.textContent ?? "";
}

// FETCH data items (RFC 9051 §6.4.5, RFC 3516 BINARY, RFC 7162 MODSEQ, RFC 8474 EMAILID/THREADID,
// RFC 8514 SAVEDATE, RFC 8970 PREVIEW) and the ALL/FAST/FULL macros.

/** The part of a section after the part path (RFC 9051 `section-msgtext` / `section-text`). */
export type SectionText =
  | { readonly kind: "header" }
  | { readonly kind: "headerFields"; readonly isNot: boolean; readonly fields: readonly string[] }
  | { readonly kind: "text" }
  | { readonly kind: "mime" };

/** `BODY[1.2.HEADER]`: `part` is the path (empty = whole message), `text` null = the whole part. */
export interface BodySection {
  readonly part: readonly number[];
  readonly text: SectionText | null;
}

/** `<offset.length>` of a FETCH request. */
export interface Partial {
  readonly offset: number;
  readonly length: number;
}

/** The FETCH data items that take no section, partial or modifier (RFC 9051 §6.4.5 and extensions). */
export const SIMPLE_FETCH_ATTRIBUTES = [
  "FLAGS",
  "INTERNALDATE",
  "RFC822.SIZE",
  "ENVELOPE",
  "BODYSTRUCTURE",
  "BODY",
  "UID",
  "MODSEQ",
  "EMAILID",
  "THREADID",
  "SAVEDATE",
  "RFC822",
  "RFC822.HEADER",
  "RFC822.TEXT",
] as const;

export type FetchAttribute =
  | { readonly kind: "FLAGS" }
  | { readonly kind: "INTERNALDATE" }
  | { readonly kind: "RFC822.SIZE" }
  | { readonly kind: "ENVELOPE" }
  | { readonly kind: "BODYSTRUCTURE" }
  /** `BODY` without a section: the non-extensible BODYSTRUCTURE. */
  | { readonly kind: "BODY" }
  | { readonly kind: "UID" }
  | { readonly kind: "MODSEQ" }
  | { readonly kind: "EMAILID" }
  | { readonly kind: "THREADID" }
  | { readonly kind: "SAVEDATE" }
  | { readonly kind: "RFC822" }
  | { readonly kind: "RFC822.HEADER" }
  | { readonly kind: "RFC822.TEXT" }
  | { readonly kind: "PREVIEW"; readonly isLazy: boolean }
  | {
      readonly kind: "BODY[]";
      readonly isPeek: boolean;
      readonly section: BodySection;
      readonly partial: Partial | null;
    }
  | {
      readonly kind: "BINARY[]";
      readonly isPeek: boolean;
      readonly part: readonly number[];
      readonly partial: Partial | null;
    }
  | { readonly kind: "BINARY.SIZE"; readonly part: readonly number[] };

export type FetchMacro = "ALL" | "FAST" | "FULL";

/** What FETCH asked for: a macro (kept so it can be written back) or a list of attributes. */
export type FetchItems =
  | { readonly kind: "macro"; readonly macro: FetchMacro }
  | { readonly kind: "attributes"; readonly attributes: readonly FetchAttribute[] };

const MACROS: Record<FetchMacro, readonly FetchAttribute[]> = {
  FAST: [{ kind: "FLAGS" }, { kind: "INTERNALDATE" }, { kind: "RFC822.SIZE" }],
  ALL: [{ kind: "FLAGS" }, { kind: "INTERNALDATE" }, { kind: "RFC822.SIZE" }, { kind: "ENVELOPE" }],
  FULL: [
    { kind: "FLAGS" },
    { kind: "INTERNALDATE" },
    { kind: "RFC822.SIZE" },
    { kind: "ENVELOPE" },
    { kind: "BODY" },
  ],
};

/** The attributes a FETCH asks for, with a macro expanded per RFC 9051 §6.4.5. */
export function expandFetchItems(items: FetchItems): readonly FetchAttribute[] {
  return items.kind === "macro" ? MACROS[items.macro] : items.attributes;
}

/** The section spec as written inside brackets: `1.2.HEADER.FIELDS (A B)`, `TEXT`, `` (empty). */
export function formatSection(section: BodySection): string {
  const parts = section.part.map(String);
  const text = section.text;
  if (text !== null) {
    switch (text.kind) {
      case "header":
        parts.push("HEADER");
        break;
      case "text":
        parts.push("TEXT");
        break;
      case "mime":
        parts.push("MIME");
        break;
      case "headerFields":
        parts.push(`HEADER.FIELDS${text.isNot ? ".NOT" : ""} (${text.fields.join(" ")})`);
        break;
    }
  }
  return parts.join(".");
}

/** Writes one attribute as a client sends it (`BODY.PEEK[1.TEXT]<0.100>`). */
export function formatFetchAttribute(attribute: FetchAttribute): string {
  switch (attribute.kind) {
    case "PREVIEW":
      return attribute.isLazy ? "PREVIEW (LAZY)" : "PREVIEW";
    case "BODY[]":
      return `BODY${attribute.isPeek ? ".PEEK" : ""}[${formatSection(attribute.section)}]${formatPartial(attribute.partial)}`;
    case "BINARY[]":
      return `BINARY${attribute.isPeek ? ".PEEK" : ""}[${attribute.part.join(".")}]${formatPartial(attribute.partial)}`;
    case "BINARY.SIZE":
      return `BINARY.SIZE[${attribute.part.join(".")}]`;
    default:
      return attribute.kind;
  }
}

function formatPartial(partial: Partial | null): string {
  return partial === null ? "" : `<${partial.offset}.${partial.length}>`;
}

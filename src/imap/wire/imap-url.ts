// IMAP URLs (RFC 5092) naming a message or a part of one, as CATENATE (RFC 4469 §5) takes them: the
// absolute form `imap://[user@]host[:port]/mailbox;UIDVALIDITY=v/;UID=u[/;SECTION=s][/;PARTIAL=o.n]`,
// the path form without scheme and host (`/mailbox;…`), and the form relative to the selected mailbox
// (`;UID=u[/;SECTION=s][/;PARTIAL=o.n]`). Pure parsing (the URL's parts come from the mail layer's
// parser, which submission's BURL shares); what a URL refers to is resolved elsewhere.
import { type ImapUrlParts, parseImapUrlParts } from "../../mail/urlauth/imap-url-parts.js";
import type { BodySection, SectionText } from "./fetch-attribute.js";

/** The parts of the URL with its section parsed as FETCH's (null for the whole message). */
export type ImapMessageUrl = Omit<ImapUrlParts, "section"> & { readonly section: BodySection | null };

const MAX_NUMBER = 0xffff_ffff;

/** Parses a message URL; null when it is not one this server can resolve (the caller answers BADURL). */
export function parseImapMessageUrl(url: string): ImapMessageUrl | null {
  const parts = parseImapUrlParts(url);
  if (parts === null) return null;
  if (parts.section === null) return { ...parts, section: null };
  const section = parseUrlSection(parts.section);
  return section === null ? null : { ...parts, section };
}

/** `section-spec` of FETCH (RFC 9051 §9) as RFC 5092 `enc-section` carries it, already percent-decoded. */
export function parseUrlSection(text: string): BodySection | null {
  const match =
    /^(?:((?:[1-9][0-9]*\.)*[1-9][0-9]*)(?:\.(HEADER|TEXT|MIME|HEADER\.FIELDS(?:\.NOT)? \(([^()]*)\)))?|(HEADER|TEXT|HEADER\.FIELDS(?:\.NOT)? \(([^()]*)\)))$/i.exec(
      text,
    );
  if (match === null) return null;
  const part = match[1] === undefined ? [] : match[1].split(".").map(Number);
  if (part.some((n) => n > MAX_NUMBER)) return null;
  const name = (match[2] ?? match[4])?.toUpperCase();
  const fieldList = match[3] ?? match[5];
  let sectionText: SectionText | null = null;
  if (name === undefined) sectionText = null;
  else if (name === "HEADER") sectionText = { kind: "header" };
  else if (name === "TEXT") sectionText = { kind: "text" };
  else if (name === "MIME") sectionText = { kind: "mime" };
  else {
    const fields = (fieldList ?? "").split(" ").filter((f) => f !== "");
    if (fields.length === 0 || fields.some((f) => !/^[\x21-\x39\x3b-\x7e]+$/.test(f))) return null;
    sectionText = { kind: "headerFields", isNot: name.endsWith(".NOT"), fields };
  }
  return { part, text: sectionText };
}

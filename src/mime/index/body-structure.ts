// Renders BODYSTRUCTURE (extended) and BODY (basic) per RFC 9051 §7.5.2 / RFC 3501 §7.4.2 in Dovecot's form:
// original case of types and parameters, `("charset" "us-ascii")` for text without one, every extension field
// present, an empty text/plain child for a multipart without parts (the grammar needs at least one).

import { NIL, renderNString, renderString } from "../imap-string.js";
import type { RawParam } from "../params.js";
import { renderEnvelope } from "./envelope.js";
import { isMessageType, type MimePart } from "./structure.js";

const EMPTY_TEXT_BASIC = '"text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0';
const EMPTY_TEXT_EXTENDED = `(${EMPTY_TEXT_BASIC} NIL NIL NIL NIL)`;
const EMPTY_ENVELOPE = "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)";

const envelopes = new WeakMap<MimePart, string>();

/** The ENVELOPE of an encapsulated message, rendered once per part however often it is asked for. */
export function encapsulatedEnvelope(buf: Buffer, message: MimePart): string {
  let envelope = envelopes.get(message);
  if (envelope === undefined) {
    envelope = renderEnvelope(buf, message.fields);
    envelopes.set(message, envelope);
  }
  return envelope;
}

function renderParams(params: readonly RawParam[]): string {
  if (params.length === 0) return NIL;
  return `(${params.map((p) => `${renderString(p.name)} ${renderString(p.value)}`).join(" ")})`;
}

function renderDisposition(part: MimePart): string {
  const disposition = part.disposition;
  if (disposition === null) return NIL;
  return `(${renderString(disposition.typeRaw)} ${renderParams(disposition.rawParams)})`;
}

function renderLanguage(language: readonly string[] | null): string {
  if (language === null) return NIL;
  return `(${language.map(renderString).join(" ")})`;
}

/** Renders one part; `extended` selects BODYSTRUCTURE (true) or BODY (false). */
export function renderBodyStructure(buf: Buffer, part: MimePart, extended: boolean): string {
  const type = part.mediaType;
  if (type.type === "multipart") {
    const children =
      part.children.length === 0
        ? extended
          ? EMPTY_TEXT_EXTENDED
          : `(${EMPTY_TEXT_BASIC})`
        : part.children.map((child) => renderBodyStructure(buf, child, extended)).join("");
    const subtype = renderString(type.subtypeRaw);
    if (!extended) return `(${children} ${subtype})`;
    const ext = [renderParams(type.rawParams), renderDisposition(part), renderLanguage(part.language)];
    ext.push(renderNString(part.location));
    return `(${children} ${subtype} ${ext.join(" ")})`;
  }
  const fields = [
    renderString(type.typeRaw),
    renderString(type.subtypeRaw),
    renderParams(type.rawParams),
    renderNString(part.id),
    renderNString(part.description),
    renderString(part.encodingRaw),
    String(part.bodyEnd - part.bodyStart),
  ];
  if (isMessageType(type)) {
    const inner = part.message;
    if (inner === null) {
      fields.push(EMPTY_ENVELOPE, extended ? EMPTY_TEXT_EXTENDED : `(${EMPTY_TEXT_BASIC})`);
    } else {
      fields.push(encapsulatedEnvelope(buf, inner), renderBodyStructure(buf, inner, extended));
    }
    fields.push(String(part.lines));
  } else if (type.type === "text") {
    fields.push(String(part.lines));
  }
  if (extended) {
    fields.push(
      renderNString(part.md5),
      renderDisposition(part),
      renderLanguage(part.language),
      renderNString(part.location),
    );
  }
  return `(${fields.join(" ")})`;
}

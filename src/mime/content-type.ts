// Content-Type, Content-Disposition and Content-Language field values (RFC 2045 §5, RFC 2183, RFC 3282).
// An invalid or missing Content-Type means the context default (RFC 2045 §5.2, RFC 2046 §5.1.5 for digests).

import { type ParameterizedValue, parseParameterizedValue, type RawParam } from "./params.js";

export interface MediaType {
  /** Lower-case type and subtype. */
  readonly type: string;
  readonly subtype: string;
  /** Type and subtype as written (Dovecot echoes the original case in BODYSTRUCTURE). */
  readonly typeRaw: string;
  readonly subtypeRaw: string;
  readonly rawParams: readonly RawParam[];
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;

/** The default media type: text/plain; charset=us-ascii, or message/rfc822 inside a multipart/digest. */
export function defaultMediaType(isDigestChild: boolean): MediaType {
  if (isDigestChild) {
    return {
      type: "message",
      subtype: "rfc822",
      typeRaw: "message",
      subtypeRaw: "rfc822",
      rawParams: [],
      params: {},
    };
  }
  return {
    type: "text",
    subtype: "plain",
    typeRaw: "text",
    subtypeRaw: "plain",
    rawParams: [{ name: "charset", value: "us-ascii" }],
    params: { charset: "us-ascii" },
  };
}

/** Parses a Content-Type value; falls back to the default when it is missing or has no valid type/subtype. */
export function parseContentType(value: string | null, isDigestChild: boolean): MediaType {
  if (value === null) return defaultMediaType(isDigestChild);
  const parsed: ParameterizedValue = parseParameterizedValue(value);
  // RFC 2045 §5.1 allows comments around the type: `text/plain (body text)`.
  const head = parsed.value.includes("(") ? parsed.value.replace(/\([^()]*\)/g, "") : parsed.value;
  const slash = head.indexOf("/");
  const typeRaw = slash >= 0 ? head.slice(0, slash).trim() : "";
  const subtypeRaw = slash >= 0 ? head.slice(slash + 1).trim() : "";
  if (!TOKEN.test(typeRaw) || !TOKEN.test(subtypeRaw)) {
    // RFC 2045 §5.2: treat a syntactically invalid Content-Type as the default, keeping a usable charset.
    const fallback = defaultMediaType(isDigestChild);
    if (fallback.type !== "text" || parsed.params.charset === undefined) return fallback;
    return {
      ...fallback,
      rawParams: [{ name: "charset", value: parsed.params.charset }],
      params: { charset: parsed.params.charset },
    };
  }
  let rawParams = parsed.rawParams;
  let params = parsed.params;
  const type = typeRaw.toLowerCase();
  if (type === "text" && params.charset === undefined) {
    // Dovecot (and RFC 2046 §4.1.2's default) report a text part without charset as us-ascii.
    rawParams = [...rawParams, { name: "charset", value: "us-ascii" }];
    params = { ...params, charset: "us-ascii" };
  }
  return { type, subtype: subtypeRaw.toLowerCase(), typeRaw, subtypeRaw, rawParams, params };
}

export interface Disposition {
  /** Lower-case disposition type and its raw form. */
  readonly type: string;
  readonly typeRaw: string;
  readonly rawParams: readonly RawParam[];
  readonly params: Readonly<Record<string, string>>;
}

/** Parses Content-Disposition (RFC 2183); null when missing or empty. */
export function parseDisposition(value: string | null): Disposition | null {
  if (value === null) return null;
  const parsed = parseParameterizedValue(value);
  if (parsed.value === "") return null;
  return {
    type: parsed.value.toLowerCase(),
    typeRaw: parsed.value,
    rawParams: parsed.rawParams,
    params: parsed.params,
  };
}

/** Parses Content-Language (RFC 3282): comma-separated tags, comments dropped; null when empty. */
export function parseLanguage(value: string | null): string[] | null {
  if (value === null) return null;
  const tags = value
    .replace(/\([^()]*\)/g, " ")
    .split(/[,\s]+/)
    .filter((tag) => tag !== "");
  return tags.length > 0 ? tags : null;
}

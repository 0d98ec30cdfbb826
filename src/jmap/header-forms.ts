// Email `header:{name}[:as{Form}][:all]` properties (RFC 8621 §4.1.2, §4.1.3): a top-level header field's
// value, last instance or all of them, in the Raw, Text, Addresses, GroupedAddresses, MessageIds, Date or
// URLs form, parsed from the message's raw header.
import { type ParsedMailbox, parseAddressList } from "../mime/address.js";
import { parseDate } from "../mime/date.js";
import { decodeEncodedWords } from "../mime/encoded-word.js";
import type { HeaderField } from "../mime/header.js";
import { utcDateOf } from "./utc-date.js";

export const HEADER_FORMS = [
  "Raw",
  "Text",
  "Addresses",
  "GroupedAddresses",
  "MessageIds",
  "Date",
  "URLs",
] as const;
export type HeaderForm = (typeof HEADER_FORMS)[number];

export interface HeaderProperty {
  /** Lower-case field name. */
  readonly name: string;
  readonly form: HeaderForm;
  readonly isAll: boolean;
}

const PROPERTY_SYNTAX =
  /^header:([\x21-\x39\x3b-\x7e]+?)(?::as(Raw|Text|Addresses|GroupedAddresses|MessageIds|Date|URLs))?(:all)?$/;

const ADDRESS_FIELDS = [
  "from",
  "sender",
  "reply-to",
  "to",
  "cc",
  "bcc",
  "resent-from",
  "resent-sender",
  "resent-reply-to",
  "resent-to",
  "resent-cc",
  "resent-bcc",
];
const TEXT_FIELDS = ["subject", "comments", "keywords", "list-id"];
const MESSAGE_ID_FIELDS = ["message-id", "in-reply-to", "references", "resent-message-id"];
const DATE_FIELDS = ["date", "resent-date"];
const URL_FIELDS = [
  "list-help",
  "list-unsubscribe",
  "list-subscribe",
  "list-post",
  "list-owner",
  "list-archive",
];

/**
 * RFC 8621 §4.1.2: the forms each RFC 5322 or RFC 2369 field may be asked in (Raw always); any other
 * field may be asked in every form.
 */
const FORMS_OF_FIELD = new Map<string, ReadonlySet<HeaderForm>>();
for (const [fields, forms] of [
  [ADDRESS_FIELDS, ["Addresses", "GroupedAddresses"]],
  [TEXT_FIELDS, ["Text"]],
  [MESSAGE_ID_FIELDS, ["MessageIds"]],
  [DATE_FIELDS, ["Date"]],
  [URL_FIELDS, ["URLs"]],
] as const) {
  for (const field of fields) FORMS_OF_FIELD.set(field, new Set<HeaderForm>(["Raw", ...forms]));
}

/** The parsed property, or null when `property` is not a header property in a form its field allows. */
export function parseHeaderProperty(property: string): HeaderProperty | null {
  const match = PROPERTY_SYNTAX.exec(property);
  if (match === null) return null;
  const name = (match[1] as string).toLowerCase();
  const form = (match[2] ?? "Raw") as HeaderForm;
  if (FORMS_OF_FIELD.get(name)?.has(form) === false) return null;
  return { name, form, isAll: match[3] !== undefined };
}

/** The property's value from the header fields of `raw` (absent: null, or [] with :all). */
export function headerPropertyValue(
  raw: Buffer,
  fields: readonly HeaderField[],
  property: HeaderProperty,
): unknown {
  const values = fields
    .filter((field) => field.name === property.name)
    .map((field) => raw.toString("utf8", field.valueStart, field.end).replace(/\r?\n$/, ""));
  const parsed = values.map((value) => parseForm(value, property.form));
  if (property.isAll) return parsed;
  return parsed.length === 0 ? null : parsed[parsed.length - 1];
}

function unfold(value: string): string {
  return value.replace(/\r?\n(?=[ \t])/g, "");
}

function parseForm(value: string, form: HeaderForm): unknown {
  switch (form) {
    case "Raw":
      return value;
    case "Text":
      return decodeEncodedWords(unfold(value)).trim();
    case "Addresses":
      return parseAddressList(unfold(value)).flatMap((entry) =>
        entry.kind === "group" ? entry.members.map(emailAddress) : [emailAddress(entry)],
      );
    case "GroupedAddresses": {
      const groups: { name: string | null; addresses: unknown[] }[] = [];
      for (const entry of parseAddressList(unfold(value))) {
        if (entry.kind === "group") {
          groups.push({ name: decodeEncodedWords(entry.name), addresses: entry.members.map(emailAddress) });
        } else {
          const last = groups.at(-1);
          if (last !== undefined && last.name === null) last.addresses.push(emailAddress(entry));
          else groups.push({ name: null, addresses: [emailAddress(entry)] });
        }
      }
      return groups;
    }
    case "MessageIds": {
      const ids = [...unfold(value).matchAll(/<([^<>\s]+)>/g)].map((m) => m[1] as string);
      return ids.length === 0 ? null : ids;
    }
    case "Date": {
      const ms = parseDate(unfold(value).trim());
      return ms === null ? null : utcDateOf(ms);
    }
    default: {
      const urls = [...unfold(value).matchAll(/<([^<>]+)>/g)].map((m) =>
        (m[1] as string).replace(/\s+/g, ""),
      );
      return urls.length === 0 ? null : urls;
    }
  }
}

function emailAddress(mailbox: ParsedMailbox): { name: string | null; email: string } {
  return {
    name: mailbox.name === null ? null : decodeEncodedWords(mailbox.name),
    email: `${mailbox.mailbox}@${mailbox.host}`,
  };
}

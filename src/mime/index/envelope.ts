// Renders the IMAP ENVELOPE (RFC 9051 §7.5.2) from a header block: strings are sent undecoded (clients decode
// RFC 2047), Sender and Reply-To default to From when absent or empty, address fields occurring more than once
// are concatenated and other repeated fields use the last occurrence (as Dovecot does).

import { type ParsedAddress, parseAddressList } from "../address.js";
import { findLastField, type HeaderField, readFieldValue } from "../header.js";
import { NIL, renderNString, renderString } from "../imap-string.js";

/** All address entries from every field named `name`, in order. */
export function readAddressFields(
  buf: Buffer,
  fields: readonly HeaderField[],
  name: string,
): ParsedAddress[] {
  const result: ParsedAddress[] = [];
  for (const field of fields) {
    if (field.name === name) result.push(...parseAddressList(readFieldValue(buf, field)));
  }
  return result;
}

function renderAddressList(addresses: readonly ParsedAddress[]): string {
  if (addresses.length === 0) return NIL;
  const out: string[] = [];
  for (const entry of addresses) {
    if (entry.kind === "group") {
      out.push(`(NIL NIL ${renderString(entry.name)} NIL)`);
      for (const member of entry.members) out.push(renderMailbox(member));
      out.push("(NIL NIL NIL NIL)");
    } else out.push(renderMailbox(entry));
  }
  return `(${out.join("")})`;
}

function renderMailbox(entry: ParsedAddress & { kind: "mailbox" }): string {
  return `(${renderNString(entry.name)} ${renderNString(entry.route)} ${renderString(entry.mailbox)} ${renderString(entry.host)})`;
}

function lastValue(buf: Buffer, fields: readonly HeaderField[], name: string): string | null {
  const field = findLastField(fields, name);
  return field === null ? null : readFieldValue(buf, field);
}

/** Collapses whitespace runs to one space, as Dovecot does for the subject it shows to people. */
function forHumans(text: string | null): string | null {
  return text === null ? null : text.replace(/[ \t]+/g, " ");
}

/** Renders the ENVELOPE list for the header fields of a message (the root or an encapsulated one). */
export function renderEnvelope(buf: Buffer, fields: readonly HeaderField[]): string {
  const from = readAddressFields(buf, fields, "from");
  let sender = readAddressFields(buf, fields, "sender");
  let replyTo = readAddressFields(buf, fields, "reply-to");
  if (sender.length === 0) sender = from;
  if (replyTo.length === 0) replyTo = from;
  return `(${[
    renderNString(lastValue(buf, fields, "date")),
    renderNString(forHumans(lastValue(buf, fields, "subject"))),
    renderAddressList(from),
    renderAddressList(sender),
    renderAddressList(replyTo),
    renderAddressList(readAddressFields(buf, fields, "to")),
    renderAddressList(readAddressFields(buf, fields, "cc")),
    renderAddressList(readAddressFields(buf, fields, "bcc")),
    renderNString(lastValue(buf, fields, "in-reply-to")),
    renderNString(lastValue(buf, fields, "message-id")),
  ].join(" ")})`;
}

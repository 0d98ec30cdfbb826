// Re-bases a MessageIndex when other header fields stand in front of the same message (per-recipient
// trace fields, RFC 5321 §4.4): part offsets, sizes and the trace fields' search text and header fields change, nothing else.

import type { IndexedHeaderField, MessageIndex, PartNode } from "../message-index.js";
import { headerFieldsOf, headerFieldsSearchText } from "./index-message.js";
import { MAX_SEARCH_TEXT_CHARS } from "./text-content.js";

/**
 * The index of `newPrefix + rest` given the index of `oldPrefix + rest`, where both prefixes are whole
 * CRLF-terminated header fields at the top of the root header. Trace fields take no part in ENVELOPE,
 * BODYSTRUCTURE or the decoded headers, so one parse of the message serves every recipient's copy.
 */
export function shiftIndex(index: MessageIndex, oldPrefix: Uint8Array, newPrefix: Uint8Array): MessageIndex {
  const delta = newPrefix.byteLength - oldPrefix.byteLength;
  const oldText = headerFieldsSearchText(oldPrefix);
  const newText = headerFieldsSearchText(newPrefix);
  const searchText = index.searchText.startsWith(oldText)
    ? (newText + index.searchText.slice(oldText.length)).slice(0, MAX_SEARCH_TEXT_CHARS)
    : index.searchText;
  const headerFields = shiftHeaderFields(index.headerFields, oldPrefix, newPrefix);
  if (delta === 0 && searchText === index.searchText) return index;
  return {
    ...index,
    size: index.size + delta,
    crlfSize: index.crlfSize + delta,
    root: delta === 0 ? index.root : { ...shiftPart(index.root, delta), headerStart: 0 },
    searchText,
    headerFields,
  };
}

/**
 * The prefix's fields replaced. A message starting with a continuation line extends the prefix's
 * last field, so whatever the index holds beyond the old last value moves to the new last value.
 */
function shiftHeaderFields(
  fields: readonly IndexedHeaderField[],
  oldPrefix: Uint8Array,
  newPrefix: Uint8Array,
): readonly IndexedHeaderField[] {
  const oldFields = headerFieldsOf(oldPrefix);
  const newFields = headerFieldsOf(newPrefix);
  const last = oldFields.length - 1;
  const isPrefixed = oldFields.every((field, i) => {
    const indexed = fields[i];
    if (indexed?.name !== field.name) return false;
    return i === last ? indexed.value.startsWith(field.value) : indexed.value === field.value;
  });
  if (!isPrefixed) return fields;
  const tail =
    last < 0 ? "" : (fields[last]?.value ?? "").slice((oldFields[last] as IndexedHeaderField).value.length);
  const newLast = newFields.at(-1);
  if (tail !== "" && newLast) newFields[newFields.length - 1] = { ...newLast, value: newLast.value + tail };
  return [...newFields, ...fields.slice(oldFields.length)];
}

function shiftPart(part: PartNode, delta: number): PartNode {
  return {
    ...part,
    headerStart: part.headerStart + delta,
    bodyStart: part.bodyStart + delta,
    bodyEnd: part.bodyEnd + delta,
    children: part.children.map((child) => shiftPart(child, delta)),
    message: part.message === null ? null : shiftPart(part.message, delta),
  };
}

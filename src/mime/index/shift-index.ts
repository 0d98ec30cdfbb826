// Re-bases a MessageIndex when other header fields stand in front of the same message (per-recipient
// trace fields, RFC 5321 §4.4): part offsets, sizes and the trace fields' search text change, nothing else.

import type { MessageIndex, PartNode } from "../message-index.js";
import { headerFieldsSearchText } from "./index-message.js";
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
  if (delta === 0 && searchText === index.searchText) return index;
  return {
    ...index,
    size: index.size + delta,
    crlfSize: index.crlfSize + delta,
    root: delta === 0 ? index.root : { ...shiftPart(index.root, delta), headerStart: 0 },
    searchText,
  };
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

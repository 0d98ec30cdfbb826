// What the stores index of a message for text search (RFC 9051 §6.4.4: case-insensitive substrings of
// the decoded text), folded by search-fold.ts: one text per searchable field and the folded value of each
// top-level header field. Computed from the MessageIndex, by the indexing worker at delivery
// (mail/index-workers.ts) or by the store itself, the same way everywhere.

import type { IndexedAddressEntry, IndexedHeaderField, MessageIndex } from "../message-index.js";
import { foldSearchText } from "../search-fold.js";
import { MAX_SEARCH_HEADER_CHARS } from "./index-message.js";

export interface SearchRows {
  readonly subject: string;
  readonly from: string;
  readonly to: string;
  readonly cc: string;
  readonly bcc: string;
  /** Header values and text parts (MessageIndex.searchText): TEXT and BODY. */
  readonly text: string;
  /** The folded, bounded value of each of MessageIndex.headerFields, in order (foldHeaderValues). */
  readonly headerValues: readonly string[];
}

export function foldSearchRows(index: MessageIndex): SearchRows {
  return {
    subject: foldSearchText(index.headers.subject),
    from: foldSearchText(addressText(index.headers.from)),
    to: foldSearchText(addressText(index.headers.to)),
    cc: foldSearchText(addressText(index.headers.cc)),
    bcc: foldSearchText(addressText(index.headers.bcc)),
    text: foldSearchText(index.searchText),
    headerValues: foldHeaderValues(index.headerFields),
  };
}

/**
 * The folded value of each header field for HEADER search. A value is kept only as far as the search
 * text keeps the header (its first MAX_SEARCH_HEADER_CHARS, values joined by newlines): HEADER finds its
 * candidates through that text.
 */
export function foldHeaderValues(fields: readonly IndexedHeaderField[]): string[] {
  const values: string[] = [];
  let searchTextChars = 0;
  for (const field of fields) {
    const kept = field.value.slice(0, Math.max(MAX_SEARCH_HEADER_CHARS - searchTextChars, 0));
    if (field.value !== "") searchTextChars += field.value.length + 1;
    values.push(foldSearchText(kept));
  }
  return values;
}

/** Display names and addresses as one searchable string (RFC 9051 §6.4.4 FROM/TO/CC/BCC are substring matches). */
function addressText(entries: readonly IndexedAddressEntry[]): string {
  const parts: string[] = [];
  for (const entry of entries) {
    if ("group" in entry) {
      parts.push(entry.group);
      for (const member of entry.members) parts.push(member.name ?? "", `<${member.address}>`);
    } else {
      parts.push(entry.name ?? "", `<${entry.address}>`);
    }
  }
  return parts.filter((p) => p !== "").join(" ");
}

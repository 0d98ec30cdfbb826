// The brute-force side of the search correctness tests (test/search-index-correctness.test.ts for SQLite,
// src/store/postgres/postgres-search-correctness.test.ts): each message's folded field texts computed
// from the raw bytes and the indexer alone, without any store, for comparison with a store's answers.

import { indexMessage } from "../../src/mime/index/index-message.js";
import type { IndexedAddressEntry } from "../../src/mime/message-index.js";
import { foldSearchText } from "../../src/mime/search-fold.js";
import type { EmailTextField } from "../../src/store/mail-store.js";

export const FIELDS: readonly EmailTextField[] = ["subject", "from", "to", "cc", "bcc", "body", "text"];

/** The folded text of each field of one message, computed without the store. */
export type FoldedFields = Record<EmailTextField, string>;

/** Display names and addresses as the store's search text has them (one searchable string). */
function addressString(entries: readonly IndexedAddressEntry[]): string {
  const parts: string[] = [];
  for (const entry of entries) {
    const members = "group" in entry ? entry.members : [entry];
    if ("group" in entry) parts.push(entry.group);
    for (const member of members) parts.push(member.name ?? "", `<${member.address}>`);
  }
  return parts.filter((part) => part !== "").join(" ");
}

export function foldFields(raw: Buffer): FoldedFields {
  const { headers, searchText } = indexMessage(raw);
  const body = foldSearchText(searchText);
  return {
    subject: foldSearchText(headers.subject),
    from: foldSearchText(addressString(headers.from)),
    to: foldSearchText(addressString(headers.to)),
    cc: foldSearchText(addressString(headers.cc)),
    bcc: foldSearchText(addressString(headers.bcc)),
    body,
    text: body,
  };
}

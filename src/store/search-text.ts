// What both store backends index for text search (RFC 9051 §6.4.4: case-insensitive substrings of the
// decoded text): one folded column per searchable field, made from the MessageIndex the same way by every
// backend, so a search gives the same answer whichever store runs it.
import type { IndexedAddressEntry, MessageIndex } from "../mime/message-index.js";
import { foldSearchText } from "../mime/search-fold.js";
import type { EmailTextField } from "./mail-store.js";

/** The folded texts of one email, by email_search column. */
export interface SearchTextRow {
  readonly subject: string;
  readonly from_text: string;
  readonly to_text: string;
  readonly cc_text: string;
  readonly bcc_text: string;
  readonly body_text: string;
}

/** email_search column per searchable field; `body` shares the full text column (see EmailCriterion). */
export const SEARCH_COLUMNS: Record<EmailTextField, keyof SearchTextRow> = {
  subject: "subject",
  from: "from_text",
  to: "to_text",
  cc: "cc_text",
  bcc: "bcc_text",
  body: "body_text",
  text: "body_text",
};

export function searchTextOf(index: MessageIndex): SearchTextRow {
  return {
    subject: foldSearchText(index.headers.subject),
    from_text: foldSearchText(addressText(index.headers.from)),
    to_text: foldSearchText(addressText(index.headers.to)),
    cc_text: foldSearchText(addressText(index.headers.cc)),
    bcc_text: foldSearchText(addressText(index.headers.bcc)),
    body_text: foldSearchText(index.searchText),
  };
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

// What both store backends index for text search (RFC 9051 §6.4.4: case-insensitive substrings of the
// decoded text): one folded column per searchable field, made from the MessageIndex the same way by every
// backend (mime/index/search-rows.ts), so a search gives the same answer whichever store runs it.

import { foldSearchRows, type SearchRows } from "../mime/index/search-rows.js";
import type { MessageIndex } from "../mime/message-index.js";
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

/** The email_search row of an index, from its folded rows when they were computed ahead. */
export function searchTextOf(index: MessageIndex, rows: SearchRows = foldSearchRows(index)): SearchTextRow {
  return {
    subject: rows.subject,
    from_text: rows.from,
    to_text: rows.to,
    cc_text: rows.cc,
    bcc_text: rows.bcc,
    body_text: rows.text,
  };
}

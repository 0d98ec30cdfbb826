// The search box's little language → an Email/query FilterCondition (RFC 8621 §4.4.1):
//   from:alice subject:"quarterly report" after:2024-01-01 before:2024-07-01 has:attachment words…
// Unquoted words that are not operators become one `text` condition (from, to, subject and body).
import type { FilterCondition } from "../jmap/types.js";

const OPERATOR = /^(from|to|cc|subject|body|after|before|has|is):(.*)$/i;

export interface ParsedSearch {
  readonly conditions: FilterCondition[];
  /** Words or operators that were not understood (shown to the user). */
  readonly problems: string[];
}

export function parseSearch(input: string): ParsedSearch {
  const tokens = [...input.matchAll(/(\w+:)?"([^"]*)"|\S+/g)].map((m) =>
    m[2] !== undefined ? `${m[1] ?? ""}${m[2]}` : m[0],
  );
  const conditions: FilterCondition[] = [];
  const problems: string[] = [];
  const words: string[] = [];
  for (const token of tokens) {
    const match = OPERATOR.exec(token);
    if (match === null) {
      words.push(token);
      continue;
    }
    const key = (match[1] as string).toLowerCase();
    const value = match[2] as string;
    if (value === "") {
      problems.push(token);
      continue;
    }
    switch (key) {
      case "after":
      case "before": {
        const date = parseDate(value);
        if (date === null) problems.push(token);
        else conditions.push({ [key]: date });
        break;
      }
      case "has":
        if (/^attachments?$/i.test(value)) conditions.push(HAS_ATTACHMENT);
        else problems.push(token);
        break;
      case "is":
        if (/^unread$/i.test(value)) conditions.push({ notKeyword: "$seen" });
        else if (/^read$/i.test(value)) conditions.push({ hasKeyword: "$seen" });
        else if (/^(flagged|starred)$/i.test(value)) conditions.push({ hasKeyword: "$flagged" });
        else problems.push(token);
        break;
      default:
        conditions.push({ [key]: value });
    }
  }
  if (words.length > 0) conditions.push({ text: words.join(" ") });
  return { conditions, problems };
}

/** "Has an attachment": Email/query's hasAttachment, the Email property the list's paper clip shows. */
export const HAS_ATTACHMENT: FilterCondition = { hasAttachment: true };

/** YYYY-MM-DD (local midnight) → UTCDate, or null. */
function parseDate(text: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(date.getTime()) ? null : date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The whole filter for a search within a mailbox (null: all mailboxes). */
export function searchFilter(
  mailboxId: string | null,
  conditions: readonly FilterCondition[],
): FilterCondition {
  const all = mailboxId === null ? [...conditions] : [{ inMailbox: mailboxId }, ...conditions];
  if (all.length === 1) return all[0] as FilterCondition;
  return { operator: "AND", conditions: all };
}

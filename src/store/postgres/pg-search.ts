// The SQL of MessageRepository.matchEmails on PostgreSQL (RFC 9051 §6.4.4: case-insensitive substring).
// email_search holds text folded by mime/search-fold.ts and the needle is folded the same way, so
// strpos() on the folded column is the rule, exactly as instr() is in the embedded store. A needle of
// three or more characters is also given as `LIKE '%needle%'`, which the pg_trgm GIN index
// (email_search_trgm, pg-schema.ts migration 2; its pending list kept small by migration 5 so the planner
// prefers it to a scan of the body text) answers with candidates; PostgreSQL rechecks them and
// strpos() decides, so the index changes speed, never results. Shorter needles have no trigram and are
// checked by strpos() alone over the mailbox's entries. HEADER name value looks in email_headers the
// same way (migration 3).
import type { MailboxId } from "../../kit/ids.js";
import { foldSearchText } from "../../mime/search-fold.js";
import type { EmailCriterion } from "../mail-store.js";
import { SEARCH_COLUMNS } from "../search-text.js";
import { pgText } from "./pg-rows.js";

/** pg_trgm extracts nothing from shorter needles, so LIKE would only cost a full index scan. */
const TRIGRAM_LENGTH = 3;

export interface SearchQuery {
  readonly text: string;
  readonly params: readonly unknown[];
}

export function buildSearchQuery(mailboxId: MailboxId, criteria: readonly EmailCriterion[]): SearchQuery {
  const params: unknown[] = [mailboxId];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = ["e.mailbox_id = $1"];
  let needsSearchText = false;
  let needsEmail = false;
  for (const criterion of criteria) {
    switch (criterion.kind) {
      case "text": {
        needsSearchText = true;
        const column = `s.${SEARCH_COLUMNS[criterion.field]}`;
        where.push(...substringConditions(column, foldedNeedle(criterion.value), param));
        break;
      }
      case "header": {
        // An empty value asks only for the field: strpos(value, '') is 1.
        const conditions = [
          "h.email_id = e.email_id",
          `h.name = ${param(criterion.name.toLowerCase())}`,
          ...substringConditions("h.value", foldedNeedle(criterion.value), param),
        ];
        where.push(`EXISTS (SELECT 1 FROM email_headers h WHERE ${conditions.join(" AND ")})`);
        break;
      }
      case "sentDate": {
        needsEmail = true;
        const sentAt = "COALESCE(m.sent_at, e.internal_date)";
        if (criterion.sinceMs !== null) where.push(`${sentAt} >= ${param(criterion.sinceMs)}`);
        if (criterion.beforeMs !== null) where.push(`${sentAt} < ${param(criterion.beforeMs)}`);
        break;
      }
      case "hasAttachment":
        // emails.has_attachment (pg-schema.ts, the migration that adds it), written at append.
        needsEmail = true;
        where.push("m.has_attachment");
        break;
    }
  }
  const joins = [
    needsSearchText ? "JOIN email_search s ON s.email_id = e.email_id" : "",
    needsEmail ? "JOIN emails m ON m.id = e.email_id" : "",
  ].filter((join) => join !== "");
  return {
    text: `SELECT DISTINCT e.email_id FROM entries e ${joins.join(" ")} WHERE ${where.join(" AND ")}`,
    params,
  };
}

function foldedNeedle(value: string): string {
  return pgText(foldSearchText(value));
}

/** strpos() decides; LIKE is there for the trigram index, when the needle has a trigram. */
function substringConditions(column: string, needle: string, param: (value: unknown) => string): string[] {
  const conditions: string[] = [];
  if ([...needle].length >= TRIGRAM_LENGTH)
    conditions.push(`${column} LIKE ${param(`%${escapeLike(needle)}%`)}`);
  conditions.push(`strpos(${column}, ${param(needle)}) > 0`);
  return conditions;
}

/** LIKE's wildcards and its escape character (backslash, the default) taken literally. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

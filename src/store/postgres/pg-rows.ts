// Row shapes of the PostgreSQL schema (pg-schema.ts): int8 columns arrive as numbers (pg-database.ts),
// so the rows and their mapping are the embedded store's (../record-rows.ts); only text needs care here.
export {
  type AccountRow,
  type EntryRow,
  type MailboxRow,
  toAccountRecord,
  toMailboxEntry,
  toMailboxRecord,
} from "../record-rows.js";

/** PostgreSQL text cannot hold U+0000; message-derived text (a decoded =00, a NUL in a body) gets U+FFFD. */
export function pgText(text: string): string {
  return text.includes("\u0000") ? text.replaceAll("\u0000", "\uFFFD") : text;
}

export function pgTextOrNull(text: string | null): string | null {
  return text === null ? null : pgText(text);
}

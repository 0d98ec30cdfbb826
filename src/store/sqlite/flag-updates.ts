// Set-based flag updates (IMAP STORE, RFC 9051 §6.4.6, with RFC 7162 §3.1.3 UNCHANGEDSINCE): per run of
// consecutive UIDs, one SELECT reads the entries the update changes and one UPDATE computes their new
// flags in SQL, giving them all the mutation's one modseq; entries that already have the flags are left
// alone. The new flags are computed in JS as well, by the same rules, for the result and the counters.
import type { AccountId, EmailId, MailboxId, ModSeq, ThreadId, Uid } from "../../kit/ids.js";
import {
  applyKeywordUpdate,
  DELETED_BIT,
  decodeFlagSet,
  decodeKeywords,
  encodeKeywords,
  encodeSystemFlags,
  normalizeKeywords,
  SEEN_BIT,
} from "../flag-codec.js";
import type { FlagOperation, FlagUpdate, FlagUpdateResult, MailboxEntry } from "../mail-store.js";
import { uidRuns } from "../uid-runs.js";
import { requireMailboxRow } from "./entry-writes.js";
import type { SqliteDatabase, WriteScope } from "./sqlite-database.js";

/** SQL function applying a keyword add/remove to a row's encoded keywords (flag-codec's rules, not SQL's). */
const APPLY_KEYWORDS_FUNCTION = "postfach_apply_keywords";
/** No modseq is this large: the UNCHANGEDSINCE bound when the client gave none. */
const NO_MODSEQ_BOUND = Number.MAX_SAFE_INTEGER;
const IN_RUN = "mailbox_id = @mailbox AND uid BETWEEN @from AND @to";

/** Registers APPLY_KEYWORDS_FUNCTION on the connection; the updates below call it for keyword add/remove. */
export function registerFlagFunctions(sql: SqliteDatabase): void {
  sql.db.function(APPLY_KEYWORDS_FUNCTION, { deterministic: true }, (keywords, operation, list) =>
    applyEncodedKeywords(String(keywords), operation === "add" ? "add" : "remove", String(list)),
  );
}

function applyEncodedKeywords(keywords: string, operation: FlagOperation, list: string): string {
  return encodeKeywords(applyKeywordUpdate(decodeKeywords(keywords), operation, decodeKeywords(list)));
}

/** One update, as SQL expressions over an entry's current `flags` and `keywords`, and as the same in JS. */
interface FlagRule {
  readonly newFlagsSql: string;
  readonly newKeywordsSql: string;
  /** True for an entry the update changes. */
  readonly changesSql: string;
  readonly bits: number;
  readonly keywords: string;
  newFlags(flags: number): number;
  newKeywords(keywords: string): string;
}

function ruleOf(update: FlagUpdate): FlagRule {
  const bits = encodeSystemFlags(update.flags.system);
  const keywords = encodeKeywords(normalizeKeywords(update.flags.keywords));
  const { operation } = update;
  const flags =
    operation === "add"
      ? { sql: "(flags | @bits)", apply: (f: number) => f | bits }
      : operation === "remove"
        ? { sql: "(flags & ~@bits)", apply: (f: number) => f & ~bits }
        : { sql: "@bits", apply: () => bits };
  // add/remove without keywords leave keywords alone; replace sets them to one constant list.
  const keywordsRule =
    operation === "replace"
      ? { sql: "@keywords", apply: () => keywords }
      : keywords === ""
        ? { sql: "keywords", apply: (k: string) => k }
        : {
            sql: `${APPLY_KEYWORDS_FUNCTION}(keywords, @operation, @keywords)`,
            apply: (k: string) => applyEncodedKeywords(k, operation, keywords),
          };
  return {
    newFlagsSql: flags.sql,
    newKeywordsSql: keywordsRule.sql,
    changesSql:
      keywordsRule.sql === "keywords"
        ? `${flags.sql} <> flags`
        : `(${flags.sql} <> flags OR ${keywordsRule.sql} <> keywords)`,
    bits,
    keywords,
    newFlags: flags.apply,
    newKeywords: keywordsRule.apply,
  };
}

/** An entry the update changes, as read before it: the columns of MailboxEntry, positionally. */
type ChangingRow = [
  mailboxId: string,
  uid: number,
  flags: number,
  keywords: string,
  emailId: string,
  threadId: string,
  size: number,
  internalDate: number,
  saveDate: number,
];

/** Applies `update` to the entries of `uids` that exist, inside the caller's write transaction. */
export function updateEntryFlags(
  sql: SqliteDatabase,
  scope: WriteScope,
  accountId: AccountId,
  mailboxId: MailboxId,
  uids: readonly Uid[],
  update: FlagUpdate,
): FlagUpdateResult {
  requireMailboxRow(sql, accountId, mailboxId);
  const runs = uidRuns(uids);
  const rule = ruleOf(update);
  const params = {
    mailbox: mailboxId,
    bits: rule.bits,
    keywords: rule.keywords,
    operation: update.operation,
    unchangedSince: update.unchangedSince ?? NO_MODSEQ_BOUND,
  };
  const conflicts: Uid[] = [];
  if (update.unchangedSince !== undefined) {
    const select = sql.stmt<{ uid: number }>(
      `SELECT uid FROM entries WHERE ${IN_RUN} AND modseq > @unchangedSince ORDER BY uid`,
    );
    for (const [from, to] of runs) {
      for (const row of select.all({ ...params, from, to })) conflicts.push(row.uid as Uid);
    }
  }
  const eligible = `${IN_RUN} AND modseq <= @unchangedSince AND ${rule.changesSql}`;
  // Raw rows: reading 10,000 as arrays costs a third of reading them as objects (or of RETURNING).
  const read = sql
    .stmt(
      `SELECT mailbox_id, uid, flags, keywords, email_id, thread_id, size, internal_date, save_date
       FROM entries WHERE ${eligible} ORDER BY uid`,
    )
    .raw(true);
  const changing: ChangingRow[] = [];
  const changedRuns: [number, number][] = [];
  for (const [from, to] of runs) {
    const rows = read.all({ ...params, from, to }) as ChangingRow[];
    if (rows.length === 0) continue;
    for (const row of rows) changing.push(row);
    changedRuns.push([from, to]);
  }
  // A flag update that changes nothing takes no modseq.
  if (changing.length === 0) return { changed: [], conflicts };
  const modSeq = scope.nextModSeq(accountId);
  const write = sql.stmt(
    `UPDATE entries SET flags = ${rule.newFlagsSql}, keywords = ${rule.newKeywordsSql}, modseq = @modSeq
     WHERE ${eligible}`,
  );
  for (const [from, to] of changedRuns) write.run({ ...params, from, to, modSeq });
  let unseenDelta = 0;
  let deletedDelta = 0;
  const changed = changing.map((row): MailboxEntry => {
    const [mailbox, uid, before, keywords, emailId, threadId, size, internalDate, saveDate] = row;
    const after = rule.newFlags(before);
    // The mailbox counts messages without \Seen and with \Deleted.
    unseenDelta += hasBit(before, SEEN_BIT) - hasBit(after, SEEN_BIT);
    deletedDelta += hasBit(after, DELETED_BIT) - hasBit(before, DELETED_BIT);
    return {
      mailboxId: mailbox as MailboxId,
      uid: uid as Uid,
      modSeq,
      flags: decodeFlagSet(after, rule.newKeywords(keywords)),
      emailId: emailId as EmailId,
      threadId: threadId as ThreadId,
      size,
      internalDateMs: internalDate,
      saveDateMs: saveDate,
      // Not read here (a join per changed row); MailboxView keeps the blob hash an entry already had.
      blobHash: undefined,
      crlfSize: undefined,
    };
  });
  sql
    .stmt(
      `UPDATE mailboxes SET highest_modseq = ?, unseen_count = unseen_count + ?, deleted_count = deleted_count + ?
       WHERE id = ?`,
    )
    .run(modSeq, unseenDelta, deletedDelta, mailboxId);
  scope.emit({ accountId, mailboxId, modSeq: modSeq as ModSeq });
  return { changed, conflicts };
}

function hasBit(flags: number, bit: number): number {
  return (flags & bit) !== 0 ? 1 : 0;
}

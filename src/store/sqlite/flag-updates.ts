// Set-based flag updates (IMAP STORE, RFC 9051 §6.4.6, with RFC 7162 §3.1.3 UNCHANGEDSINCE): one UPDATE per
// run of consecutive UIDs computes the new flags in SQL, touches only entries whose flags really change
// and gives them all the mutation's one modseq; mailbox counters follow from one aggregate per run.
import type { AccountId, MailboxId, ModSeq, Uid } from "../../kit/ids.js";
import {
  applyKeywordUpdate,
  DELETED_BIT,
  decodeKeywords,
  encodeKeywords,
  encodeSystemFlags,
  normalizeKeywords,
  SEEN_BIT,
} from "../flag-codec.js";
import type { FlagUpdate, FlagUpdateResult, MailboxEntry } from "../mail-store.js";
import { requireMailboxRow } from "./entry-writes.js";
import { type EntryRow, toMailboxEntry } from "./rows.js";
import type { SqliteDatabase, WriteScope } from "./sqlite-database.js";

/** SQL function applying a keyword add/remove to a row's encoded keywords (flag-codec's rules, not SQL's). */
export const APPLY_KEYWORDS_FUNCTION = "postfach_apply_keywords";
/** No modseq is this large: the UNCHANGEDSINCE bound when the client gave none. */
const NO_MODSEQ_BOUND = Number.MAX_SAFE_INTEGER;

/** Registers APPLY_KEYWORDS_FUNCTION on the connection; the updates below call it for keyword add/remove. */
export function registerFlagFunctions(sql: SqliteDatabase): void {
  sql.db.function(APPLY_KEYWORDS_FUNCTION, { deterministic: true }, (keywords, operation, list) =>
    encodeKeywords(
      applyKeywordUpdate(
        decodeKeywords(String(keywords)),
        operation === "add" ? "add" : "remove",
        decodeKeywords(String(list)),
      ),
    ),
  );
}

/** The SQL of one update shape; named parameters @bits and @keywords carry the update's values. */
interface FlagUpdateSql {
  /** The entry's new `flags` and `keywords`, as expressions over its current ones. */
  readonly newFlags: string;
  readonly newKeywords: string;
  /** True for an entry the update changes. */
  readonly changes: string;
}

function updateSql(update: FlagUpdate): FlagUpdateSql {
  const newFlags =
    update.operation === "add"
      ? "(flags | @bits)"
      : update.operation === "remove"
        ? "(flags & ~@bits)"
        : "@bits";
  // add/remove without keywords leave keywords alone; replace sets them to one constant list.
  const newKeywords =
    update.operation === "replace"
      ? "@keywords"
      : update.flags.keywords.length === 0
        ? "keywords"
        : `${APPLY_KEYWORDS_FUNCTION}(keywords, @operation, @keywords)`;
  const changes =
    newKeywords === "keywords"
      ? `${newFlags} <> flags`
      : `(${newFlags} <> flags OR ${newKeywords} <> keywords)`;
  return { newFlags, newKeywords, changes };
}

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
  const shape = updateSql(update);
  const params = {
    mailbox: mailboxId,
    bits: encodeSystemFlags(update.flags.system),
    keywords: encodeKeywords(normalizeKeywords(update.flags.keywords)),
    operation: update.operation,
    unchangedSince: update.unchangedSince ?? NO_MODSEQ_BOUND,
  };
  const inRun = "mailbox_id = @mailbox AND uid BETWEEN @from AND @to";
  const conflicts: Uid[] = [];
  if (update.unchangedSince !== undefined) {
    const select = sql.stmt<{ uid: number }>(
      `SELECT uid FROM entries WHERE ${inRun} AND modseq > @unchangedSince ORDER BY uid`,
    );
    for (const [from, to] of runs) {
      for (const row of select.all({ ...params, from, to })) conflicts.push(row.uid as Uid);
    }
  }
  // Counters first: how many entries change, and how the unseen and \Deleted counts move with them.
  const eligible = `${inRun} AND modseq <= @unchangedSince AND ${shape.changes}`;
  const count = sql.stmt<{ changing: number; unseen: number | null; deleted: number | null }>(
    `SELECT count(*) AS changing,
       sum((${shape.newFlags} & ${SEEN_BIT}) = 0) - sum((flags & ${SEEN_BIT}) = 0) AS unseen,
       sum((${shape.newFlags} & ${DELETED_BIT}) <> 0) - sum((flags & ${DELETED_BIT}) <> 0) AS deleted
     FROM entries WHERE ${eligible}`,
  );
  let changing = 0;
  let unseenDelta = 0;
  let deletedDelta = 0;
  const pendingRuns: [number, number][] = [];
  for (const [from, to] of runs) {
    const counted = count.get({ ...params, from, to });
    if (!counted || counted.changing === 0) continue;
    changing += counted.changing;
    unseenDelta += counted.unseen ?? 0;
    deletedDelta += counted.deleted ?? 0;
    pendingRuns.push([from, to]);
  }
  // A flag update that changes nothing takes no modseq (RFC 7162 §3.1.3 leaves such entries alone).
  if (changing === 0) return { changed: [], conflicts };
  const modSeq = scope.nextModSeq(accountId);
  const write = sql.stmt<EntryRow>(
    `UPDATE entries SET flags = ${shape.newFlags}, keywords = ${shape.newKeywords}, modseq = @modSeq
     WHERE ${eligible} RETURNING *`,
  );
  const changed: MailboxEntry[] = [];
  for (const [from, to] of pendingRuns) {
    for (const row of write.all({ ...params, from, to, modSeq })) changed.push(toMailboxEntry(row));
  }
  changed.sort((a, b) => a.uid - b.uid);
  sql
    .stmt(
      `UPDATE mailboxes SET highest_modseq = ?, unseen_count = unseen_count + ?, deleted_count = deleted_count + ?
       WHERE id = ?`,
    )
    .run(modSeq, unseenDelta, deletedDelta, mailboxId);
  scope.emit({ accountId, mailboxId, modSeq: modSeq as ModSeq });
  return { changed, conflicts };
}

/** The distinct UIDs as ascending runs of consecutive values, [first, last] each. */
export function uidRuns(uids: readonly Uid[]): [number, number][] {
  const sorted = Uint32Array.from(uids).sort();
  const runs: [number, number][] = [];
  for (const uid of sorted) {
    const last = runs.at(-1);
    if (last && uid <= last[1] + 1) last[1] = uid;
    else runs.push([uid, uid]);
  }
  return runs;
}

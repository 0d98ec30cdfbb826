// Set-based flag updates on PostgreSQL (IMAP STORE, RFC 9051 §6.4.6, with RFC 7162 §3.1.3
// UNCHANGEDSINCE): one statement computes every entry's new flags and keywords in SQL over all runs of
// consecutive UIDs, writes only the entries that change, with the mutation's one modseq, and moves the
// mailbox counters and the account's modseq with them. Only changed entries travel back to Node.
import type { AccountId, EmailId, MailboxId, ModSeq, ThreadId, Uid } from "../../kit/ids.js";
import { DELETED_BIT, decodeFlagSet, encodeSystemFlags, normalizeKeywords, SEEN_BIT } from "../flag-codec.js";
import type { FlagUpdate, FlagUpdateResult, MailboxEntry } from "../mail-store.js";
import { uidRuns } from "../uid-runs.js";
import type { WriteTx } from "./pg-database.js";
import { requireMailboxRow } from "./pg-entry-writes.js";
import type { AccountRow } from "./pg-rows.js";

/** No modseq is this large: the UNCHANGEDSINCE bound when the client gave none. */
const NO_MODSEQ_BOUND = Number.MAX_SAFE_INTEGER;

// The update's parameters, by position in every statement below. PostgreSQL must infer a type for
// each one it is given, so the keywords are sent only when the statement reads them (last, as $8).
const MAILBOX = "$1";
const RUN_FIRSTS = "$2::bigint[]";
const RUN_LASTS = "$3::bigint[]";
const UNCHANGED_SINCE = "$4";
const BITS = "$5::integer";
const MOD_SEQ = "$6";
const ACCOUNT = "$7";
/** The update's keywords as a text[] (normalized, flag-codec.ts). */
const KEYWORDS = "$8::text[]";

/** The entries of the runs, as `c` (current values), from the statement's snapshot. */
const IN_RUNS = `entries c JOIN unnest(${RUN_FIRSTS}, ${RUN_LASTS}) AS r(first, last)
  ON c.mailbox_id = ${MAILBOX} AND c.uid BETWEEN r.first AND r.last`;

/**
 * flag-codec's applyKeywordUpdate in SQL over `c.keywords` (space-separated, normalized): add merges
 * case-insensitively keeping the first spelling (the entry's own first) and sorts by lower case, as
 * normalizeKeywords does (keywords are ASCII atoms, so lower() and byte order agree with JS); remove
 * drops case-insensitive matches and keeps the order.
 */
function newKeywordsSql(update: FlagUpdate): string {
  const current = "string_to_array(c.keywords, ' ')";
  if (update.operation === "replace") return `array_to_string(${KEYWORDS}, ' ')`;
  if (update.flags.keywords.length === 0) return "c.keywords";
  if (update.operation === "add") {
    return `(SELECT coalesce(string_agg(k, ' ' ORDER BY lower(k) COLLATE "C"), '') FROM (
      SELECT DISTINCT ON (lower(k) COLLATE "C") k FROM unnest(${current} || ${KEYWORDS}) WITH ORDINALITY AS t(k, n)
      ORDER BY lower(k) COLLATE "C", n) AS merged)`;
  }
  return `(SELECT coalesce(string_agg(k, ' ' ORDER BY n), '') FROM unnest(${current}) WITH ORDINALITY AS t(k, n)
    WHERE lower(k) <> ALL (SELECT lower(x) FROM unnest(${KEYWORDS}) AS x))`;
}

function newFlagsSql(update: FlagUpdate): string {
  if (update.operation === "add") return `(c.flags | ${BITS})`;
  if (update.operation === "remove") return `(c.flags & ~${BITS})`;
  return BITS;
}

/** 1 when `flags` has `bit`, else 0. */
function bitSql(flags: string, bit: number): string {
  return `((${flags} & ${bit}) <> 0)::integer`;
}

/**
 * The one statement: `changes` lists the entries whose flags or keywords would change (and that pass
 * UNCHANGEDSINCE) with their old flags; `updated` writes them; the mailbox counters (entries without
 * \Seen, with \Deleted) and both highest modseqs move only if something changed. PostgreSQL runs every
 * data-modifying CTE once, on the same snapshot, and the account's row lock (writeAccount) keeps
 * other writers of these entries out meanwhile.
 */
function updateSql(update: FlagUpdate): string {
  return `
    WITH changes AS (
      SELECT c.uid, c.flags AS old_flags, n.flags, n.keywords
      FROM ${IN_RUNS}
      CROSS JOIN LATERAL (SELECT ${newFlagsSql(update)} AS flags, ${newKeywordsSql(update)} AS keywords) AS n
      WHERE c.modseq <= ${UNCHANGED_SINCE} AND (n.flags <> c.flags OR n.keywords <> c.keywords)
    ), updated AS (
      UPDATE entries e SET flags = changes.flags, keywords = changes.keywords, modseq = ${MOD_SEQ}
      FROM changes WHERE e.mailbox_id = ${MAILBOX} AND e.uid = changes.uid
      RETURNING e.uid, e.flags, e.keywords, e.email_id, e.thread_id, e.size, e.internal_date, e.save_date
    ), counters AS (
      UPDATE mailboxes SET highest_modseq = ${MOD_SEQ},
        unseen_count = unseen_count
          + (SELECT coalesce(sum(${bitSql("old_flags", SEEN_BIT)} - ${bitSql("flags", SEEN_BIT)}), 0) FROM changes),
        deleted_count = deleted_count
          + (SELECT coalesce(sum(${bitSql("flags", DELETED_BIT)} - ${bitSql("old_flags", DELETED_BIT)}), 0) FROM changes)
      WHERE id = ${MAILBOX} AND EXISTS (SELECT 1 FROM changes)
    ), account AS (
      UPDATE accounts SET highest_modseq = ${MOD_SEQ} WHERE id = ${ACCOUNT} AND EXISTS (SELECT 1 FROM changes)
    )
    SELECT * FROM updated ORDER BY uid`;
}

interface UpdatedRow {
  uid: number;
  flags: number;
  keywords: string;
  email_id: string;
  thread_id: string;
  size: number;
  internal_date: number;
  save_date: number;
}

/** Applies `update` to the entries of `uids` that exist, inside writeAccount's transaction. */
export async function updateEntryFlags(
  tx: WriteTx,
  account: AccountRow,
  mailboxId: MailboxId,
  uids: readonly Uid[],
  update: FlagUpdate,
): Promise<FlagUpdateResult> {
  const accountId = account.id as AccountId;
  await requireMailboxRow(tx, accountId, mailboxId);
  const runs = uidRuns(uids);
  if (runs.length === 0) return { changed: [], conflicts: [] };
  const runParams = [mailboxId, runs.map(([first]) => first), runs.map(([, last]) => last)];
  const conflicts: Uid[] = [];
  if (update.unchangedSince !== undefined) {
    const rows = await tx.rows<{ uid: number }>(
      `SELECT c.uid FROM ${IN_RUNS} WHERE c.modseq > ${UNCHANGED_SINCE} ORDER BY c.uid`,
      [...runParams, update.unchangedSince],
    );
    for (const row of rows) conflicts.push(row.uid as Uid);
  }
  // The account row is locked, so its next modseq is ours; the statement takes it only if it changes
  // something (a flag update that changes nothing takes no modseq).
  const modSeq = (account.highest_modseq + 1) as ModSeq;
  const statement = updateSql(update);
  const params: unknown[] = [
    ...runParams,
    update.unchangedSince ?? NO_MODSEQ_BOUND,
    encodeSystemFlags(update.flags.system),
    modSeq,
    accountId,
  ];
  if (statement.includes(KEYWORDS)) params.push(normalizeKeywords(update.flags.keywords));
  const rows = await tx.rows<UpdatedRow>(statement, params);
  if (rows.length === 0) return { changed: [], conflicts };
  const changed = rows.map(
    (row): MailboxEntry => ({
      mailboxId,
      uid: row.uid as Uid,
      modSeq,
      flags: decodeFlagSet(row.flags, row.keywords),
      emailId: row.email_id as EmailId,
      threadId: row.thread_id as ThreadId,
      size: row.size,
      internalDateMs: row.internal_date,
      saveDateMs: row.save_date,
      // Not read here; MailboxView keeps the blob hash an entry already had.
      blobHash: undefined,
      crlfSize: undefined,
    }),
  );
  tx.emit({ accountId, mailboxId, modSeq });
  return { changed, conflicts };
}

// MessageRepository on PostgreSQL: append (emails + entries + search text in one transaction, set-based),
// header fields, entry reads, atomic flag updates (pg-flag-updates.ts), copy, move, expunge, REPLACE's
// append-and-expunge in one transaction, and search.
import {
  type AccountId,
  type BlobHash,
  type EmailId,
  type MailboxId,
  type ModSeq,
  newObjectId,
  type ThreadId,
  type Uid,
} from "../../kit/ids.js";
import type { MessageIndex } from "../../mime/message-index.js";
import { foldSearchText } from "../../mime/search-fold.js";
import { DELETED_BIT, encodeKeywords, encodeSystemFlags, normalizeKeywords } from "../flag-codec.js";
import type {
  AppendResult,
  BlobStore,
  CopyResult,
  EmailCriterion,
  EmailRecord,
  EmailSortKeys,
  EmailSummary,
  FlagUpdate,
  FlagUpdateResult,
  MailboxEmailCounts,
  MailboxEntry,
  MessageRepository,
  NewMessage,
  ReplaceResult,
  SummaryText,
} from "../mail-store.js";
import { SUMMARY_TEXTS } from "../mail-store.js";
import {
  type AccountRow,
  checkQuota,
  countEmailsSql,
  type EmailRow,
  ENTRY_WITH_BLOB,
  ENTRY_WITH_MAILBOX_COLUMNS,
  ENTRY_WITHOUT_BLOB_COLUMNS,
  type EntryTupleWithMailbox,
  type EntryTupleWithoutBlob,
  summaryColumns,
  toMailboxEntryWithMailbox,
  toMailboxEntryWithoutBlob,
  toSummary,
  toSummaryWith,
} from "../record-rows.js";
import { type SearchTextRow, searchTextOf } from "../search-text.js";
import { SummaryCache, type SummaryLoader } from "../summary-cache.js";
import type { PgDatabase, Sql, WriteTx } from "./pg-database.js";
import {
  entryRows,
  insertEntries,
  removeEntries,
  requireMailboxRow,
  transferEntries,
} from "./pg-entry-writes.js";
import { updateEntryFlags } from "./pg-flag-updates.js";
import { type EntryRow, pgText, pgTextOrNull, toMailboxEntry } from "./pg-rows.js";
import { buildSearchQuery } from "./pg-search.js";
import { insertSortKeys, readSortKeys } from "./pg-sort-keys.js";

interface NewEmail {
  readonly emailId: EmailId;
  readonly threadId: ThreadId;
  readonly message: NewMessage;
}

const MAX_UID = 0xffffffff;
/** A batch this large refreshes the planner statistics of the tables it filled (analyzeAppendedTables). */
const ANALYZE_AFTER_APPEND = 1000;
/** The tables appendMany fills that searches and fetches query (email_index is read by id only). */
const APPENDED_TABLES = ["entries", "emails", "email_search", "email_headers", "email_sort_keys"];

export class PgMessages implements MessageRepository {
  /**
   * Summaries read lately: they never change, so every node may keep its own; a purge here forgets them
   * (another node's purge does not reach this one, whose snapshots may then still show an old summary).
   */
  readonly #summaries = new SummaryCache();

  /** `blobs` stores the bodies that appends bring along (NewMessage.body). */
  constructor(
    readonly sql: PgDatabase,
    private readonly blobs: Pick<BlobStore, "put">,
  ) {}

  async append(accountId: AccountId, mailboxId: MailboxId, message: NewMessage): Promise<AppendResult> {
    const [result] = await this.appendMany(accountId, mailboxId, [message]);
    return result as AppendResult;
  }

  async appendMany(
    accountId: AccountId,
    mailboxId: MailboxId,
    messages: readonly NewMessage[],
  ): Promise<AppendResult[]> {
    if (messages.length === 0) return [];
    // Bodies are committed (durably, synchronous_commit) before the rows that reference them.
    for (const message of messages) if (message.body) await this.blobs.put(message.body);
    const results = await this.sql.writeAccount(accountId, (tx, account) =>
      this.#appendIn(tx, account, accountId, mailboxId, messages),
    );
    if (messages.length >= ANALYZE_AFTER_APPEND) await analyzeAppendedTables(this.sql);
    return results;
  }

  async replace(
    accountId: AccountId,
    from: MailboxId,
    replacedUid: Uid,
    to: MailboxId,
    message: NewMessage,
  ): Promise<ReplaceResult> {
    if (message.body) await this.blobs.put(message.body);
    return this.sql.writeAccount(accountId, async (tx, account) => {
      // The old message leaves first, so the quota is checked against what the account will hold.
      const expunged = await this.#expungeIn(tx, accountId, from, [replacedUid], {});
      const current =
        expunged.length === 0
          ? account
          : ((await tx.one<AccountRow>("SELECT * FROM accounts WHERE id = $1", [accountId])) ?? account);
      const [appended] = await this.#appendIn(tx, current, accountId, to, [message]);
      return { appended: appended as AppendResult, expunged };
    });
  }

  async #appendIn(
    tx: WriteTx,
    account: AccountRow,
    accountId: AccountId,
    mailboxId: MailboxId,
    messages: readonly NewMessage[],
  ): Promise<AppendResult[]> {
    const mailbox = await requireMailboxRow(tx, accountId, mailboxId);
    checkQuota(
      account,
      messages.length,
      messages.reduce((sum, m) => sum + m.index.size, 0),
    );
    const modSeq = await tx.nextModSeq(accountId);
    const emails = await assignThreads(tx, accountId, messages);
    await insertEmails(tx, accountId, emails, modSeq);
    await insertHeaderFields(tx, emails);
    await insertSortKeys(tx, emails);
    const uids = await insertEntries(
      tx,
      accountId,
      mailboxId,
      emails.map(({ emailId, threadId, message }) => ({
        flags: encodeSystemFlags(message.flags.system),
        keywords: encodeKeywords(normalizeKeywords(message.flags.keywords)),
        emailId,
        threadId,
        size: message.index.size,
        internalDateMs: message.internalDateMs,
        ...(message.uid === undefined ? {} : { uid: message.uid }),
        ...(message.importedUidl === undefined ? {} : { importedUidl: message.importedUidl }),
      })),
      modSeq,
    );
    tx.emit({ accountId, mailboxId, modSeq });
    return emails.map((email, i) => ({
      uidValidity: mailbox.uid_validity,
      uid: uids[i] as Uid,
      modSeq,
      emailId: email.emailId,
      threadId: email.threadId,
    }));
  }

  async listEntries(
    mailboxId: MailboxId,
    fromUid = 1 as Uid,
    toUid = MAX_UID as Uid,
  ): Promise<MailboxEntry[]> {
    const rows = await this.sql.rows<EntryRow>(
      `SELECT ${ENTRY_WITH_BLOB} WHERE e.mailbox_id = $1 AND e.uid BETWEEN $2 AND $3 ORDER BY e.uid`,
      [mailboxId, fromUid, toUid],
    );
    return rows.map(toMailboxEntry);
  }

  async listEntriesWithoutBlobs(
    mailboxId: MailboxId,
    afterUid = 0 as Uid,
    limit?: number,
  ): Promise<MailboxEntry[]> {
    // LIMIT NULL: no limit.
    const rows = await this.sql.tuples<EntryTupleWithoutBlob>(
      `SELECT ${ENTRY_WITHOUT_BLOB_COLUMNS} FROM entries WHERE mailbox_id = $1 AND uid > $2 ORDER BY uid LIMIT $3`,
      [mailboxId, afterUid, limit ?? null],
    );
    return rows.map((row) => toMailboxEntryWithoutBlob(mailboxId, row));
  }

  async countEmails(mailboxId: MailboxId): Promise<MailboxEmailCounts> {
    const [row] = await this.sql.tuples<[unknown, unknown, unknown, unknown]>(countEmailsSql("$1"), [
      mailboxId,
    ]);
    const [emails, unreadEmails, threads, unreadThreads] = (row ?? [0, 0, 0, 0]).map(Number) as number[];
    return {
      emails: emails ?? 0,
      unreadEmails: unreadEmails ?? 0,
      threads: threads ?? 0,
      unreadThreads: unreadThreads ?? 0,
    };
  }

  async listNewestEntries(mailboxId: MailboxId, limit: number): Promise<MailboxEntry[]> {
    const rows = await this.sql.tuples<EntryTupleWithoutBlob>(
      `SELECT ${ENTRY_WITHOUT_BLOB_COLUMNS} FROM entries WHERE mailbox_id = $1
       ORDER BY internal_date DESC, email_id, uid LIMIT $2`,
      [mailboxId, limit],
    );
    return rows.map((row) => toMailboxEntryWithoutBlob(mailboxId, row));
  }

  async listEntriesOfEmails(accountId: AccountId, emailIds: readonly EmailId[]): Promise<MailboxEntry[]> {
    return this.#entriesWhereIn("email_id", accountId, emailIds);
  }

  async listEntriesOfThreads(accountId: AccountId, threadIds: readonly ThreadId[]): Promise<MailboxEntry[]> {
    return this.#entriesWhereIn("thread_id", accountId, threadIds);
  }

  async #entriesWhereIn(
    column: "email_id" | "thread_id",
    accountId: AccountId,
    values: readonly string[],
  ): Promise<MailboxEntry[]> {
    if (values.length === 0) return [];
    const rows = await this.sql.tuples<EntryTupleWithMailbox>(
      `SELECT ${ENTRY_WITH_MAILBOX_COLUMNS} FROM entries
       WHERE account_id = $1 AND ${column} = ANY($2::text[]) ORDER BY mailbox_id, uid`,
      [accountId, [...new Set(values)]],
    );
    return rows.map(toMailboxEntryWithMailbox);
  }

  async getEntries(mailboxId: MailboxId, uids: readonly Uid[]): Promise<MailboxEntry[]> {
    if (uids.length === 0) return [];
    const rows = await this.sql.rows<EntryRow>(
      `SELECT ${ENTRY_WITH_BLOB} WHERE e.mailbox_id = $1 AND e.uid = ANY($2::bigint[]) ORDER BY e.uid`,
      [mailboxId, [...new Set(uids)]],
    );
    return rows.map(toMailboxEntry);
  }

  async getEmailSummaries(
    emailIds: readonly EmailId[],
    texts: readonly SummaryText[] = SUMMARY_TEXTS,
  ): Promise<Map<EmailId, EmailSummary>> {
    return this.#summaries.read(emailIds, texts, this.#readSummaries);
  }

  readonly #readSummaries: SummaryLoader = async (emailIds, texts) => {
    const summaries = new Map<EmailId, EmailSummary>();
    if (emailIds.length === 0) return summaries;
    const rows = await this.sql.tuples<unknown[]>(
      `SELECT ${summaryColumns(texts)} FROM emails WHERE id = ANY($1::text[])`,
      [[...new Set(emailIds)]],
    );
    // Typed as whole summaries for the overloads: callers that named `texts` see only those.
    for (const row of rows) summaries.set(row[0] as EmailId, toSummaryWith(row, texts) as EmailSummary);
    return summaries;
  };

  async getSortKeys(emailIds: readonly EmailId[]): Promise<Map<EmailId, EmailSortKeys>> {
    return readSortKeys(this.sql, emailIds);
  }

  async getEmail(accountId: AccountId, emailId: EmailId): Promise<EmailRecord | undefined> {
    const row = await this.sql.one<EmailRow & { json: string }>(
      `SELECT emails.*, email_index.json FROM emails JOIN email_index ON email_id = id
       WHERE id = $1 AND account_id = $2 AND destroyed_at IS NULL`,
      [emailId, accountId],
    );
    if (!row) return undefined;
    return {
      ...toSummary(row),
      threadId: row.thread_id as ThreadId,
      index: JSON.parse(row.json) as MessageIndex,
    };
  }

  async updateFlags(
    accountId: AccountId,
    mailboxId: MailboxId,
    uids: readonly Uid[],
    update: FlagUpdate,
  ): Promise<FlagUpdateResult> {
    return this.sql.writeAccount(accountId, (tx, account) =>
      updateEntryFlags(tx, account, mailboxId, uids, update),
    );
  }

  async copy(
    accountId: AccountId,
    from: MailboxId,
    uids: readonly Uid[],
    to: MailboxId,
  ): Promise<CopyResult> {
    return this.sql.writeAccount(accountId, (tx, account) =>
      transferEntries(tx, account, from, uids, to, "copy"),
    );
  }

  async move(
    accountId: AccountId,
    from: MailboxId,
    uids: readonly Uid[],
    to: MailboxId,
  ): Promise<CopyResult> {
    return this.sql.writeAccount(accountId, (tx, account) =>
      transferEntries(tx, account, from, uids, to, "move"),
    );
  }

  async expunge(
    accountId: AccountId,
    mailboxId: MailboxId,
    uids: readonly Uid[],
    options: { readonly onlyDeleted?: boolean } = {},
  ): Promise<Uid[]> {
    return this.sql.writeAccount(accountId, (tx) => this.#expungeIn(tx, accountId, mailboxId, uids, options));
  }

  async #expungeIn(
    tx: WriteTx,
    accountId: AccountId,
    mailboxId: MailboxId,
    uids: readonly Uid[],
    options: { readonly onlyDeleted?: boolean },
  ): Promise<Uid[]> {
    await requireMailboxRow(tx, accountId, mailboxId);
    const present = (await entryRows(tx, mailboxId, uids))
      .filter((row) => !options.onlyDeleted || (row.flags & DELETED_BIT) !== 0)
      .map((row) => row.uid as Uid);
    if (present.length === 0) return [];
    const modSeq = await tx.nextModSeq(accountId);
    const removed = await removeEntries(tx, accountId, mailboxId, present, modSeq);
    tx.emit({ accountId, mailboxId, modSeq });
    return removed;
  }

  async listImportedUidls(mailboxId: MailboxId): Promise<Map<Uid, string>> {
    const rows = await this.sql.rows<{ uid: string | number; pop3_uidl: string }>(
      "SELECT uid, pop3_uidl FROM entries WHERE mailbox_id = $1 AND pop3_uidl IS NOT NULL",
      [mailboxId],
    );
    return new Map(rows.map((row) => [Number(row.uid) as Uid, row.pop3_uidl]));
  }

  async purgeDestroyedEmails(olderThanMs: number): Promise<number> {
    const purged = await this.sql.write(async (tx) => {
      const cutoff = Date.now() - olderThanMs;
      const purged = await tx.rows<{ id: string }>(
        "DELETE FROM emails WHERE destroyed_at <= $1 RETURNING id",
        [cutoff],
      );
      if (purged.length === 0) return 0;
      const ids = purged.map((row) => row.id);
      for (const table of ["email_search", "email_index"]) {
        await tx.run(`DELETE FROM ${table} WHERE email_id = ANY($1::text[])`, [ids]);
      }
      return purged.length;
    });
    if (purged > 0) this.#summaries.clear();
    return purged;
  }

  async isBlobReferenced(hash: BlobHash): Promise<boolean> {
    return (
      (await this.sql.one(
        "SELECT 1 FROM emails WHERE blob_hash = $1 UNION ALL SELECT 1 FROM jmap_uploads WHERE blob_hash = $1 UNION ALL SELECT 1 FROM outbound_queue WHERE blob_hash = $1 LIMIT 1",
        [hash],
      )) !== undefined
    );
  }

  async matchEmails(mailboxId: MailboxId, criteria: readonly EmailCriterion[]): Promise<Set<EmailId>> {
    const query = buildSearchQuery(mailboxId, criteria);
    const rows = await this.sql.rows<{ email_id: string }>(query.text, query.params);
    return new Set(rows.map((row) => row.email_id as EmailId));
  }
}

/**
 * ANALYZE after a bulk append (an import, a migration from another server): a mailbox filled in seconds
 * would otherwise be planned with the statistics of empty tables until autovacuum's next pass, which
 * notices the inserts a minute or more later (autovacuum_naptime) and only once they pass its threshold
 * (50 rows + 10 % of the table). Measured: SUBJECT search on 5,000 fresh messages walked every entry,
 * 34 ms against 1.4 ms after ANALYZE. ANALYZE samples a bounded number of rows, so its cost does not
 * grow with the table. Statistics only steer plans: if ANALYZE fails (a role without ownership of the
 * tables), the append has committed and stands, and autovacuum remains.
 */
async function analyzeAppendedTables(sql: Sql): Promise<void> {
  await sql.run(`ANALYZE ${APPENDED_TABLES.join(", ")}`).catch(() => undefined);
}

/**
 * RFC 8474 THREADID: each message joins the thread of the last message it refers to (References, then
 * In-Reply-To) that the account already has, including earlier messages of the same batch; else it
 * starts a thread. One lookup for the whole batch.
 */
async function assignThreads(
  sql: Sql,
  accountId: AccountId,
  messages: readonly NewMessage[],
): Promise<NewEmail[]> {
  const referenced = new Set<string>();
  for (const { index } of messages) {
    for (const id of [...index.headers.references, ...index.headers.inReplyTo]) referenced.add(pgText(id));
  }
  const threadOf = new Map<string, ThreadId>();
  if (referenced.size > 0) {
    const rows = await sql.rows<{ message_id: string; thread_id: string }>(
      `SELECT DISTINCT ON (message_id) message_id, thread_id FROM emails
       WHERE account_id = $1 AND message_id = ANY($2::text[])`,
      [accountId, [...referenced]],
    );
    for (const row of rows) threadOf.set(row.message_id, row.thread_id as ThreadId);
  }
  return messages.map((message) => {
    const { headers } = message.index;
    const references = [...headers.references, ...headers.inReplyTo].map(pgText).reverse();
    const threadId =
      references.map((id) => threadOf.get(id)).find((id) => id !== undefined) ??
      (newObjectId("T") as ThreadId);
    if (headers.messageId !== null && !threadOf.has(pgText(headers.messageId))) {
      threadOf.set(pgText(headers.messageId), threadId);
    }
    return { emailId: newObjectId("E") as EmailId, threadId, message };
  });
}

/** The emails' rows, their index JSON and their folded search text: three set-based inserts. */
async function insertEmails(
  sql: Sql,
  accountId: AccountId,
  emails: readonly NewEmail[],
  modSeq: ModSeq,
): Promise<void> {
  const ids = emails.map((e) => e.emailId);
  const indexes = emails.map((e) => e.message.index);
  await sql.run(
    `INSERT INTO emails (id, account_id, blob_hash, size, crlf_size, thread_id, message_id, sent_at,
                         envelope, body_structure, body, preview, created_modseq, has_attachment)
     SELECT u.id, $1, u.blob_hash, u.size, u.crlf_size, u.thread_id, u.message_id, u.sent_at,
            u.envelope, u.body_structure, u.body, u.preview, $13, u.has_attachment
     FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::bigint[],
                 $9::text[], $10::text[], $11::text[], $12::text[], $14::boolean[])
       AS u(id, blob_hash, size, crlf_size, thread_id, message_id, sent_at, envelope, body_structure, body, preview,
            has_attachment)`,
    [
      accountId,
      ids,
      emails.map((e) => e.message.blobHash),
      indexes.map((index) => index.size),
      indexes.map((index) => (index.crlfSize === index.size ? null : index.crlfSize)),
      emails.map((e) => e.threadId),
      indexes.map((index) => pgTextOrNull(index.headers.messageId)),
      indexes.map((index) => index.headers.sentAtMs),
      indexes.map((index) => pgText(index.envelope)),
      indexes.map((index) => pgText(index.bodyStructure)),
      indexes.map((index) => pgText(index.body)),
      indexes.map((index) => pgText(index.preview)),
      modSeq,
      indexes.map((index) => index.hasAttachment),
    ],
  );
  await sql.run(
    `INSERT INTO email_index (email_id, version, json)
     SELECT * FROM unnest($1::text[], $2::integer[], $3::text[])`,
    [
      ids,
      indexes.map((index) => index.version),
      emails.map((e) => e.message.indexJson ?? JSON.stringify(e.message.index)),
    ],
  );
  const texts = emails.map((e) => searchTextOf(e.message.index, e.message.searchRows));
  const column = (name: keyof SearchTextRow) => texts.map((row) => pgText(row[name]));
  await sql.run(
    `INSERT INTO email_search (email_id, subject, from_text, to_text, cc_text, bcc_text, body_text)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
    [
      ids,
      column("subject"),
      column("from_text"),
      column("to_text"),
      column("cc_text"),
      column("bcc_text"),
      column("body_text"),
    ],
  );
}

/** Each email's top-level header fields for HEADER search (lower-case name, folded value). */
async function insertHeaderFields(sql: Sql, emails: readonly NewEmail[]): Promise<void> {
  const emailIds: string[] = [];
  const names: string[] = [];
  const values: string[] = [];
  for (const { emailId, message } of emails) {
    for (const field of message.index.headerFields) {
      emailIds.push(emailId);
      names.push(pgText(field.name));
      values.push(pgText(foldSearchText(field.value)));
    }
  }
  if (emailIds.length === 0) return;
  await sql.run(
    "INSERT INTO email_headers (email_id, name, value) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])",
    [emailIds, names, values],
  );
}

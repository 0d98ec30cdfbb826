// MessageRepository on SQLite: append (email + entry + search text in one transaction), entry reads,
// atomic flag updates with CONDSTORE's UNCHANGEDSINCE (flag-updates.ts), copy, move, expunge, and
// REPLACE's append-and-expunge in one transaction. These writes share transactions and off-main-thread
// WAL fsyncs with the writes requested alongside them (group-commit.ts). Search lives in sqlite-search.ts.
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
import { DELETED_BIT, encodeKeywords, encodeSystemFlags, normalizeKeywords } from "../flag-codec.js";
import type {
  AppendResult,
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
  countEmailsSql,
  type EmailRow,
  ENTRY_WITH_BLOB,
  ENTRY_WITH_BLOB_COLUMNS,
  ENTRY_WITH_MAILBOX_COLUMNS,
  ENTRY_WITHOUT_BLOB_COLUMNS,
  type EntryRow,
  type EntryTupleWithBlob,
  type EntryTupleWithMailbox,
  type EntryTupleWithoutBlob,
  summaryColumns,
  toMailboxEntry,
  toMailboxEntryWithBlob,
  toMailboxEntryWithMailbox,
  toMailboxEntryWithoutBlob,
  toSummary,
  toSummaryWith,
} from "../record-rows.js";
import { SummaryCache, type SummaryLoader } from "../summary-cache.js";
import { isBlobReferencedNow } from "./blob-references.js";
import {
  checkQuota,
  insertEntries,
  removeEntries,
  requireMailboxRow,
  transferEntries,
} from "./entry-writes.js";
import { registerFlagFunctions, updateEntryFlags } from "./flag-updates.js";
import { INLINE_BODY_MAX_BYTES, type SqliteBlobStore } from "./sqlite-blob-store.js";
import type { SqliteDatabase, WriteScope } from "./sqlite-database.js";
import { insertSearchText, matchEmails } from "./sqlite-search.js";
import { insertSortKeys, readSortKeys } from "./sqlite-sort-keys.js";

const MAX_UID = 0xffffffff;
/** Above this many UIDs, one range scan filtered in memory beats one lookup per UID. */
const RANGE_SCAN_THRESHOLD = 64;
/** Ids per `IN (…)` lookup: few statement shapes to cache, well below SQLite's variable limit. */
const SUMMARY_BATCH = 500;
export class SqliteMessages implements MessageRepository {
  /** Summaries read lately (they never change; a purge forgets them). */
  readonly #summaries = new SummaryCache();

  /** `blobs` keeps the bodies appends bring along (NewMessage.body): small ones in the append's transaction. */
  constructor(
    readonly sql: SqliteDatabase,
    private readonly blobs: SqliteBlobStore,
  ) {
    registerFlagFunctions(sql);
  }

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
    await this.#storeLargeBodies(messages);
    const indexJson = messages.map((message) => message.indexJson ?? JSON.stringify(message.index));
    return this.sql.writeGrouped((scope) => this.#appendIn(scope, accountId, mailboxId, messages, indexJson));
  }

  async replace(
    accountId: AccountId,
    from: MailboxId,
    replacedUid: Uid,
    to: MailboxId,
    message: NewMessage,
  ): Promise<ReplaceResult> {
    await this.#storeLargeBodies([message]);
    const indexJson = [message.indexJson ?? JSON.stringify(message.index)];
    // One savepoint of one group transaction: the append and the expunge commit (and fsync) together.
    // The old message leaves first, so the quota is checked against what the account will hold.
    return this.sql.writeGrouped((scope) => {
      const expunged = this.#expungeIn(scope, accountId, from, [replacedUid], {});
      const [appended] = this.#appendIn(scope, accountId, to, [message], indexJson);
      return { appended: appended as AppendResult, expunged };
    });
  }

  /**
   * A large body is a file, durable before the transaction that references it; a small one is written
   * in that transaction (#insertEmail), durable with it.
   */
  async #storeLargeBodies(messages: readonly NewMessage[]): Promise<void> {
    for (const { body } of messages) {
      if (body && body.byteLength > INLINE_BODY_MAX_BYTES) await this.blobs.files.put(body);
    }
  }

  #appendIn(
    scope: WriteScope,
    accountId: AccountId,
    mailboxId: MailboxId,
    messages: readonly NewMessage[],
    indexJson: readonly string[],
  ): AppendResult[] {
    const mailbox = requireMailboxRow(this.sql, accountId, mailboxId);
    checkQuota(
      this.sql,
      accountId,
      messages.length,
      messages.reduce((sum, m) => sum + m.index.size, 0),
    );
    const modSeq = scope.nextModSeq(accountId);
    const inserts = messages.map((message, i) => {
      const emailId = newObjectId("E") as EmailId;
      const threadId = this.#threadFor(accountId, message.index);
      this.#insertEmail(accountId, emailId, threadId, message, indexJson[i] as string, modSeq, scope);
      return {
        flags: encodeSystemFlags(message.flags.system),
        keywords: encodeKeywords(normalizeKeywords(message.flags.keywords)),
        emailId,
        threadId,
        size: message.index.size,
        internalDateMs: message.internalDateMs,
        ...(message.uid === undefined ? {} : { uid: message.uid }),
        ...(message.importedUidl === undefined ? {} : { importedUidl: message.importedUidl }),
      };
    });
    const uids = insertEntries(this.sql, accountId, mailbox, inserts, modSeq);
    scope.emit({ accountId, mailboxId, modSeq });
    return inserts.map((insert, i) => ({
      uidValidity: mailbox.uid_validity,
      uid: uids[i] as Uid,
      modSeq,
      emailId: insert.emailId,
      threadId: insert.threadId,
    }));
  }

  #insertEmail(
    accountId: AccountId,
    emailId: EmailId,
    threadId: ThreadId,
    message: NewMessage,
    indexJson: string,
    modSeq: ModSeq,
    scope: WriteScope,
  ): void {
    const { index, body } = message;
    if (body && body.byteLength <= INLINE_BODY_MAX_BYTES) this.blobs.insertInline(message.blobHash, body);
    this.sql
      .stmt(
        `INSERT INTO emails (id, account_id, blob_hash, size, crlf_size, thread_id, message_id, sent_at,
                             envelope, body_structure, body, preview, created_modseq, has_attachment)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        emailId,
        accountId,
        message.blobHash,
        index.size,
        index.crlfSize === index.size ? null : index.crlfSize,
        threadId,
        index.headers.messageId,
        index.headers.sentAtMs,
        index.envelope,
        index.bodyStructure,
        index.body,
        index.preview,
        modSeq,
        index.hasAttachment ? 1 : 0,
      );
    this.sql
      .stmt("INSERT INTO email_index (email_id, version, json) VALUES (?, ?, ?)")
      .run(emailId, index.version, indexJson);
    // Last in the transaction, with the other appends' (WriteScope.defer): one FTS5 segment per group.
    scope.defer(() => insertSearchText(this.sql, emailId, index, message.searchRows));
    insertSortKeys(this.sql, emailId, index);
  }

  /** RFC 8474 THREADID: join the thread of any message this one refers to, else start one. */
  #threadFor(accountId: AccountId, index: MessageIndex): ThreadId {
    const referenced = [...index.headers.references, ...index.headers.inReplyTo];
    const lookup = this.sql.stmt<{ thread_id: string }>(
      "SELECT thread_id FROM emails WHERE account_id = ? AND message_id = ? LIMIT 1",
    );
    for (const messageId of referenced.reverse()) {
      const row = lookup.get(accountId, messageId);
      if (row) return row.thread_id as ThreadId;
    }
    return newObjectId("T") as ThreadId;
  }

  async listEntries(
    mailboxId: MailboxId,
    fromUid = 1 as Uid,
    toUid = MAX_UID as Uid,
  ): Promise<MailboxEntry[]> {
    const rows = this.sql
      .stmt(
        `SELECT ${ENTRY_WITH_BLOB_COLUMNS} WHERE e.mailbox_id = ? AND e.uid BETWEEN ? AND ? ORDER BY e.uid`,
      )
      .raw(true)
      .all(mailboxId, fromUid, toUid) as EntryTupleWithBlob[];
    return rows.map((row) => toMailboxEntryWithBlob(mailboxId, row));
  }

  async listEntriesWithoutBlobs(
    mailboxId: MailboxId,
    afterUid = 0 as Uid,
    limit = -1,
  ): Promise<MailboxEntry[]> {
    // LIMIT -1: no limit.
    const rows = this.sql
      .stmt(
        `SELECT ${ENTRY_WITHOUT_BLOB_COLUMNS} FROM entries WHERE mailbox_id = ? AND uid > ? ORDER BY uid LIMIT ?`,
      )
      .raw(true)
      .all(mailboxId, afterUid, limit) as EntryTupleWithoutBlob[];
    return rows.map((row) => toMailboxEntryWithoutBlob(mailboxId, row));
  }

  async getEntries(mailboxId: MailboxId, uids: readonly Uid[]): Promise<MailboxEntry[]> {
    return this.#rowsFor(mailboxId, uids).map(toMailboxEntry);
  }

  async countEmails(mailboxId: MailboxId): Promise<MailboxEmailCounts> {
    const [emails, unreadEmails, threads, unreadThreads] = this.sql
      .stmt(countEmailsSql("?"))
      .raw(true)
      .get(mailboxId) as [number, number, number, number];
    return { emails, unreadEmails, threads, unreadThreads };
  }

  async listNewestEntries(mailboxId: MailboxId, limit: number): Promise<MailboxEntry[]> {
    const rows = this.sql
      .stmt(
        `SELECT ${ENTRY_WITHOUT_BLOB_COLUMNS} FROM entries WHERE mailbox_id = ?
         ORDER BY internal_date DESC, email_id, uid LIMIT ?`,
      )
      .raw(true)
      .all(mailboxId, limit) as EntryTupleWithoutBlob[];
    return rows.map((row) => toMailboxEntryWithoutBlob(mailboxId, row));
  }

  async listEntriesOfEmails(accountId: AccountId, emailIds: readonly EmailId[]): Promise<MailboxEntry[]> {
    return this.#entriesWhereIn("email_id", accountId, emailIds);
  }

  async listEntriesOfThreads(accountId: AccountId, threadIds: readonly ThreadId[]): Promise<MailboxEntry[]> {
    return this.#entriesWhereIn("thread_id", accountId, threadIds);
  }

  /** The account's entries whose `column` is one of `values`, in batches of SQLite's parameter limit. */
  #entriesWhereIn(
    column: "email_id" | "thread_id",
    accountId: AccountId,
    values: readonly string[],
  ): MailboxEntry[] {
    const unique = [...new Set(values)];
    const entries: MailboxEntry[] = [];
    for (let start = 0; start < unique.length; start += SUMMARY_BATCH) {
      const batch = unique.slice(start, start + SUMMARY_BATCH);
      // Emails through their index (the planner would rather walk the account's modseq index: 60 times
      // slower for 250 of 100,000); threads, which have none, by a scan of the account's mailboxes' entries
      // in key order.
      const from =
        column === "email_id"
          ? "entries INDEXED BY entries_by_email WHERE account_id = ? AND email_id"
          : "entries WHERE mailbox_id IN (SELECT id FROM mailboxes WHERE account_id = ?) AND thread_id";
      const rows = this.sql
        .stmt(`SELECT ${ENTRY_WITH_MAILBOX_COLUMNS} FROM ${from} IN (${batch.map(() => "?").join(",")})`)
        .raw(true)
        .all(accountId, ...batch) as EntryTupleWithMailbox[];
      for (const row of rows) entries.push(toMailboxEntryWithMailbox(row));
    }
    return entries.sort((a, b) =>
      a.mailboxId < b.mailboxId ? -1 : a.mailboxId > b.mailboxId ? 1 : a.uid - b.uid,
    );
  }

  async getEmailSummaries(
    emailIds: readonly EmailId[],
    texts: readonly SummaryText[] = SUMMARY_TEXTS,
  ): Promise<Map<EmailId, EmailSummary>> {
    return this.#summaries.read(emailIds, texts, this.#readSummaries);
  }

  readonly #readSummaries: SummaryLoader = async (emailIds, texts) => {
    const summaries = new Map<EmailId, EmailSummary>();
    const unique = [...new Set(emailIds)];
    const columns = summaryColumns(texts);
    for (let start = 0; start < unique.length; start += SUMMARY_BATCH) {
      const batch = unique.slice(start, start + SUMMARY_BATCH);
      // Tuples, not row objects: a FETCH of a whole mailbox reads 100,000 (a quarter less CPU here).
      const rows = this.sql
        .stmt(`SELECT ${columns} FROM emails WHERE id IN (${batch.map(() => "?").join(",")})`)
        .raw(true)
        .all(...batch) as unknown[][];
      // Typed as whole summaries for the overloads: callers that named `texts` see only those.
      for (const row of rows) summaries.set(row[0] as EmailId, toSummaryWith(row, texts) as EmailSummary);
    }
    return summaries;
  };

  async getSortKeys(emailIds: readonly EmailId[]): Promise<Map<EmailId, EmailSortKeys>> {
    return readSortKeys(this.sql, emailIds);
  }

  async getEmail(accountId: AccountId, emailId: EmailId): Promise<EmailRecord | undefined> {
    const row = this.sql
      .stmt<EmailRow & { json: string }>(
        `SELECT emails.*, email_index.json FROM emails JOIN email_index ON email_id = id
         WHERE id = ? AND account_id = ? AND destroyed_at IS NULL`,
      )
      .get(emailId, accountId);
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
    return this.sql.writeGrouped((scope) =>
      updateEntryFlags(this.sql, scope, accountId, mailboxId, uids, update),
    );
  }

  async copy(
    accountId: AccountId,
    from: MailboxId,
    uids: readonly Uid[],
    to: MailboxId,
  ): Promise<CopyResult> {
    return this.sql.writeGrouped((scope) =>
      transferEntries(this.sql, scope, accountId, from, uids, to, "copy"),
    );
  }

  async move(
    accountId: AccountId,
    from: MailboxId,
    uids: readonly Uid[],
    to: MailboxId,
  ): Promise<CopyResult> {
    return this.sql.writeGrouped((scope) =>
      transferEntries(this.sql, scope, accountId, from, uids, to, "move"),
    );
  }

  async expunge(
    accountId: AccountId,
    mailboxId: MailboxId,
    uids: readonly Uid[],
    options: { readonly onlyDeleted?: boolean } = {},
  ): Promise<Uid[]> {
    return this.sql.writeGrouped((scope) => this.#expungeIn(scope, accountId, mailboxId, uids, options));
  }

  #expungeIn(
    scope: WriteScope,
    accountId: AccountId,
    mailboxId: MailboxId,
    uids: readonly Uid[],
    options: { readonly onlyDeleted?: boolean },
  ): Uid[] {
    requireMailboxRow(this.sql, accountId, mailboxId);
    const present = this.#rowsFor(mailboxId, uids)
      .filter((row) => !options.onlyDeleted || (row.flags & DELETED_BIT) !== 0)
      .map((row) => row.uid as Uid);
    if (present.length === 0) return [];
    const modSeq = scope.nextModSeq(accountId);
    const removed = removeEntries(this.sql, accountId, mailboxId, present, modSeq);
    scope.emit({ accountId, mailboxId, modSeq });
    return removed;
  }

  async listImportedUidls(mailboxId: MailboxId): Promise<Map<Uid, string>> {
    const rows = this.sql
      .stmt<{ uid: number; pop3_uidl: string }>(
        "SELECT uid, pop3_uidl FROM entries WHERE mailbox_id = ? AND pop3_uidl IS NOT NULL",
      )
      .all(mailboxId);
    return new Map(rows.map((row) => [row.uid as Uid, row.pop3_uidl]));
  }

  async purgeDestroyedEmails(olderThanMs: number): Promise<number> {
    const purged = this.sql.write(() => {
      const cutoff = Date.now() - olderThanMs;
      for (const table of ["email_search", "email_index"]) {
        this.sql
          .stmt(`DELETE FROM ${table} WHERE email_id IN (SELECT id FROM emails WHERE destroyed_at <= ?)`)
          .run(cutoff);
      }
      return this.sql.stmt("DELETE FROM emails WHERE destroyed_at <= ?").run(cutoff).changes;
    });
    if (purged > 0) this.#summaries.clear();
    return purged;
  }

  async isBlobReferenced(hash: BlobHash): Promise<boolean> {
    return isBlobReferencedNow(this.sql, hash);
  }

  async matchEmails(mailboxId: MailboxId, criteria: readonly EmailCriterion[]): Promise<Set<EmailId>> {
    return matchEmails(this.sql, mailboxId, criteria);
  }

  #rowsInRange(mailboxId: MailboxId, fromUid: number, toUid: number): EntryRow[] {
    return this.sql
      .stmt<EntryRow>(
        `SELECT ${ENTRY_WITH_BLOB} WHERE e.mailbox_id = ? AND e.uid BETWEEN ? AND ? ORDER BY e.uid`,
      )
      .all(mailboxId, fromUid, toUid);
  }

  /** The existing entries among `uids`, ascending by UID. */
  #rowsFor(mailboxId: MailboxId, uids: readonly Uid[]): EntryRow[] {
    if (uids.length === 0) return [];
    if (uids.length > RANGE_SCAN_THRESHOLD) {
      const wanted = new Set<number>(uids);
      let min = MAX_UID;
      let max = 0;
      for (const uid of wanted) {
        if (uid < min) min = uid;
        if (uid > max) max = uid;
      }
      return this.#rowsInRange(mailboxId, min, max).filter((row) => wanted.has(row.uid));
    }
    const select = this.sql.stmt<EntryRow>(`SELECT ${ENTRY_WITH_BLOB} WHERE e.mailbox_id = ? AND e.uid = ?`);
    const rows: EntryRow[] = [];
    for (const uid of [...new Set(uids)].sort((a, b) => a - b)) {
      const row = select.get(mailboxId, uid);
      if (row) rows.push(row);
    }
    return rows;
  }
}

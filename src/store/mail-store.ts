// The store interface (ARCHITECTURE.md "Data model"): what every backend (SQLite embedded, PostgreSQL
// scale-out) implements and what src/mail/ builds on. Interfaces and records only, no behaviour.
// Every method is one atomic transaction; backends run store/contract/ to prove they keep these contracts.
import type { AccountId, BlobHash, EmailId, MailboxId, ModSeq, ThreadId, Uid } from "../kit/ids.js";
import type { SearchRows } from "../mime/index/search-rows.js";
import type { MessageIndex } from "../mime/message-index.js";
import type { MessageSortKeys } from "../mime/sort-keys.js";

/** The five RFC 9051 system flags a client can set (\Recent is a session notion and lives in imap/). */
export const SYSTEM_FLAGS = ["\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft"] as const;
export type SystemFlag = (typeof SYSTEM_FLAGS)[number];

/** RFC 6154 special-use attributes a mailbox can carry. */
export const SPECIAL_USES = [
  "\\Drafts",
  "\\Sent",
  "\\Trash",
  "\\Junk",
  "\\Archive",
  "\\All",
  "\\Flagged",
] as const;
export type SpecialUse = (typeof SPECIAL_USES)[number];

/**
 * Flags of one mailbox entry: system flags plus keywords. Keywords are stored as the client sent them
 * (case preserved, compared case-insensitively as RFC 9051 §2.3.2 requires), sorted, unique.
 */
export interface FlagSet {
  readonly system: ReadonlySet<SystemFlag>;
  readonly keywords: readonly string[];
}

export interface QuotaLimits {
  /** Maximum total size of all messages in bytes; null = unlimited. */
  readonly storageBytes: number | null;
  /** Maximum number of messages; null = unlimited. */
  readonly messages: number | null;
}

export interface AccountRecord {
  readonly id: AccountId;
  /** Primary address, `local@domain`, stored lower-case. */
  readonly address: string;
  /** PHC string of the password hash (scrypt). */
  readonly passwordHash: string;
  readonly quota: QuotaLimits;
  readonly usedBytes: number;
  readonly messageCount: number;
  /** The account's change counter: the modseq of its latest change. */
  readonly highestModSeq: ModSeq;
  readonly createdAtMs: number;
}

export interface MailboxRecord {
  readonly id: MailboxId;
  readonly accountId: AccountId;
  /** Full UTF-8 name, hierarchy delimiter "/", INBOX spelled exactly "INBOX". */
  readonly name: string;
  readonly uidValidity: number;
  readonly uidNext: Uid;
  /** Largest modseq of any change to an entry of this mailbox (or of its creation). */
  readonly highestModSeq: ModSeq;
  readonly specialUse: SpecialUse | null;
  readonly subscribed: boolean;
  readonly messageCount: number;
  readonly unseenCount: number;
  readonly deletedCount: number;
  readonly totalBytes: number;
  /** UIDs below this have been seen as \Recent by some session (RFC 3501 §2.3.2). */
  readonly recentUidFloor: Uid;
  /** Modseq of the mailbox's own last change (create, rename, subscribe, counts). */
  readonly modSeq: ModSeq;
}

/** One message in one mailbox: an IMAP message (ARCHITECTURE.md "Mailbox entry"). */
export interface MailboxEntry {
  readonly mailboxId: MailboxId;
  readonly uid: Uid;
  readonly modSeq: ModSeq;
  readonly flags: FlagSet;
  readonly emailId: EmailId;
  readonly threadId: ThreadId;
  readonly size: number;
  readonly internalDateMs: number;
  readonly saveDateMs: number;
  /**
   * The message's blob (its email's, immutable), when the store read it with the entry: listEntries,
   * getEntries and the change log do, so a session's snapshot can serve a body FETCH or RETR without
   * a store query; flag updates leave it undefined (the view keeps the one it had).
   */
  readonly blobHash: BlobHash | undefined;
  /** Size with bare LFs counted as CRLF (POP3's octet count), read with `blobHash` (else undefined). */
  readonly crlfSize: number | undefined;
}

/** MessageRepository.countEmails: distinct emails and threads of a mailbox, and the unread ones. */
export interface MailboxEmailCounts {
  readonly emails: number;
  readonly unreadEmails: number;
  readonly threads: number;
  readonly unreadThreads: number;
}

/** What FETCH ENVELOPE/BODYSTRUCTURE and JMAP Email/get need without parsing the index JSON. */
export interface EmailSummary extends EmailSummaryHead {
  readonly envelope: string;
  readonly bodyStructure: string;
  readonly body: string;
  readonly preview: string;
}

/** The part of a summary every read returns; its texts are read only when asked for. */
export interface EmailSummaryHead {
  readonly emailId: EmailId;
  readonly blobHash: BlobHash;
  readonly size: number;
  /** Size with bare LFs counted as CRLF (MessageIndex.crlfSize): POP3's octet counts. */
  readonly crlfSize: number;
}

/** A summary's stored texts (IMAP's ENVELOPE, BODYSTRUCTURE and BODY as written on the wire; PREVIEW). */
export type SummaryText = "envelope" | "bodyStructure" | "body" | "preview";
export const SUMMARY_TEXTS: readonly SummaryText[] = ["envelope", "bodyStructure", "body", "preview"];

/** A summary with only the texts `K`. */
export type EmailSummaryWith<K extends SummaryText> = EmailSummaryHead & Pick<EmailSummary, K>;

/** SORT/THREAD keys of one email (RFC 5256, RFC 5957), stored when the email is appended. */
export type EmailSortKeys = MessageSortKeys;

export interface EmailRecord extends EmailSummary {
  readonly threadId: ThreadId;
  readonly index: MessageIndex;
}

export interface NewMessage {
  readonly blobHash: BlobHash;
  readonly index: MessageIndex;
  readonly flags: FlagSet;
  readonly internalDateMs: number;
  /**
   * The bytes of `blobHash` (`blobs.hashOf(body)`) when they are not stored yet: the store makes them
   * durable no later than the append that references them, in the same transaction where it can (the
   * SQLite store keeps small bodies in the database, so one commit covers body and rows). Without it,
   * the blob must already be stored (`blobs.put`).
   */
  readonly body?: Uint8Array;
  /**
   * `index`'s search rows (foldSearchRows) and `JSON.stringify(index)`, when computed ahead, off the
   * store's thread (the delivery's indexing worker, mail/index-workers.ts); absent, the store computes them.
   */
  readonly searchRows?: SearchRows;
  readonly indexJson?: string;
  /**
   * Import only (admin/maildir-import.ts): the UID the source server gave the message, kept so clients do
   * not resync. Must be at least the mailbox's UIDNEXT and ascending within one appendMany, else the
   * append rejects with invalidInput; UIDNEXT becomes the largest such UID plus one. Omitted: the next UID.
   */
  readonly uid?: Uid;
  /** Import only: the POP3 UIDL the source server showed (RFC 1939 §7), returned by listImportedUidls. */
  readonly importedUidl?: string;
}

export interface AppendResult {
  readonly uidValidity: number;
  readonly uid: Uid;
  readonly modSeq: ModSeq;
  readonly emailId: EmailId;
  readonly threadId: ThreadId;
}

/** What `MessageRepository.replace` did: the new message, and the old UID if it was still there. */
export interface ReplaceResult {
  readonly appended: AppendResult;
  /** `[replacedUid]`, or empty when another session had already expunged it. */
  readonly expunged: readonly Uid[];
}

export type FlagOperation = "add" | "remove" | "replace";

export interface FlagUpdate {
  readonly operation: FlagOperation;
  readonly flags: FlagSet;
  /** RFC 7162 UNCHANGEDSINCE: entries with a larger modseq are left alone and reported as failed. */
  readonly unchangedSince?: ModSeq;
}

export interface FlagUpdateResult {
  /** Entries whose flags changed, with their new modseq and flags. */
  readonly changed: readonly MailboxEntry[];
  /** UIDs refused because of `unchangedSince` (RFC 7162 §3.2 MODIFIED). */
  readonly conflicts: readonly Uid[];
}

export interface CopyResult {
  readonly uidValidity: number;
  /** Source UIDs in ascending order and the UIDs they received in the destination (RFC 4315 COPYUID). */
  readonly sourceUids: readonly Uid[];
  readonly destinationUids: readonly Uid[];
}

/** What changed in a mailbox since a modseq (ARCHITECTURE.md "How changes reach every session"). */
export interface MailboxChanges {
  /** Entries changed or added after the modseq, ascending by UID. */
  readonly entries: readonly MailboxEntry[];
  /** UIDs expunged after the modseq (tombstones), ascending. */
  readonly expungedUids: readonly Uid[];
  readonly highestModSeq: ModSeq;
  readonly uidNext: Uid;
  /** The mailbox no longer exists (deleted, or deleted and recreated: another UIDVALIDITY). */
  readonly isGone: boolean;
}

/** One mailbox or email that changed after the asked modseq, as the change log knows it. */
export interface ObjectChange<Id extends string> {
  readonly id: Id;
  /** The modseq at which it appeared in the account; 0 when stored before creation modseqs were kept. */
  readonly createdModSeq: ModSeq;
  /** The modseq of its latest change (its destruction, if it is destroyed). */
  readonly lastModSeq: ModSeq;
  /** It no longer exists. */
  readonly isDestroyed: boolean;
}

export interface MailboxChange extends ObjectChange<MailboxId> {
  /** Latest change of the mailbox itself (create, rename, special use, subscription, ACL), not its entries. */
  readonly propertiesModSeq: ModSeq;
}

export interface EmailChange extends ObjectChange<EmailId> {
  /** Null only for an email destroyed and purged before threads were kept on tombstones. */
  readonly threadId: ThreadId | null;
}

/**
 * Account-wide changes since a modseq, for JMAP /changes and catch-up after a lost notification: every
 * mailbox and email with a change (entry added, re-flagged, expunged; mailbox created, renamed, deleted)
 * after the modseq, once each, read in one snapshot with the account's highest modseq.
 */
export interface AccountChanges {
  readonly highestModSeq: ModSeq;
  readonly mailboxes: readonly MailboxChange[];
  readonly emails: readonly EmailChange[];
}

/** A committed change, published after commit. Receivers re-read the store; the payload is a hint. */
export interface ChangeEvent {
  readonly accountId: AccountId;
  readonly mailboxId: MailboxId | null;
  readonly modSeq: ModSeq;
}

/** Publishes committed changes to every session (in-process; PostgreSQL LISTEN/NOTIFY between nodes). */
export interface ChangeNotifier {
  publish(event: ChangeEvent): void;
  /** Calls `listener` for every event of `accountId` until the returned function is called. */
  subscribe(accountId: AccountId, listener: (event: ChangeEvent) => void): () => void;
}

/** Content-addressed storage of raw message bytes (SHA-256). */
export interface BlobStore {
  /** The hash put() gives these bytes (content addressing), computed without storing them. */
  hashOf(bytes: Uint8Array): BlobHash;
  /**
   * Stores the bytes and returns their hash and size once they are durable (fsynced). Storing
   * bytes that already exist is cheap and returns the same hash. Rejects with MailError("tooBig")
   * if more than `maxBytes` arrive.
   */
  put(
    source: Uint8Array | AsyncIterable<Uint8Array>,
    maxBytes?: number,
  ): Promise<{ hash: BlobHash; size: number }>;
  /**
   * Stores a blob whose bytes are `prefix` followed by the existing blob `base`, without copying `base`:
   * per-recipient trace headers in front of one shared message body (docs/delivery.md). The result reads
   * like any other blob (read, readRange, has); `base` is kept while a prefixed blob needs it. Durable
   * (fsynced) when it resolves; rejects with MailError("nonexistent") if `base` is missing.
   */
  putPrefixed(prefix: Uint8Array, base: BlobHash): Promise<{ hash: BlobHash; size: number }>;
  /** All bytes of a blob; rejects with MailError("nonexistent") if it is missing. */
  read(hash: BlobHash): Promise<Buffer>;
  /** Bytes [start, end) of a blob as a stream (end clamped to the size). */
  readRange(hash: BlobHash, start: number, end: number): AsyncIterable<Uint8Array>;
  /**
   * Bytes [start, end) of a blob read at once, when this store can do so cheaply (a small range of a
   * local file), else null; throws MailError("nonexistent") if the blob is missing. Optional: a store
   * without it is read through readRange only.
   */
  readRangeNow?(hash: BlobHash, start: number, end: number): Buffer | null;
  /**
   * readRangeNow of several ranges in one go (the bodies of pipelined POP3 RETRs), cheaper than one call
   * each where the store can share work between them (SQLite: one read transaction). Never throws: an
   * entry is null where readRangeNow would return null or throw. Optional, as readRangeNow.
   */
  readRangesNow?(ranges: readonly BlobRange[]): (Buffer | null)[];
  /**
   * Whole blobs copied into `target` one after another from its start, where this store can do so
   * without allocating memory per blob (SQLite with the native body copier: a download's bodies go
   * into buffers the server reuses). Entry i is blob i's bytes, a view of `target`, or null where it
   * was not copied (not stored that way, gone, damaged, or no room left): read those with
   * readRangeNow, which says why. Never throws. Optional: absent where the store has no such reader.
   */
  readWholeInto?(blobs: readonly WholeBlob[], target: Buffer): (Buffer | null)[];
  has(hash: BlobHash): Promise<boolean>;
  /** Removes blobs not in `referenced` that are older than `minAgeMs`; returns how many were removed. */
  collectGarbage(isReferenced: (hash: BlobHash) => Promise<boolean>, minAgeMs: number): Promise<number>;
  /**
   * Every stored blob, with the base blob a prefixed one reads on (null for a plain blob), in no
   * particular order; for the store verification (store-verification.ts, `postfach doctor`).
   */
  listBlobs(): AsyncIterable<StoredBlob>;
}

/** Bytes [start, end) of a blob. */
/** A whole blob to read: its name and its size in bytes. */
export interface WholeBlob {
  readonly hash: BlobHash;
  readonly size: number;
}

export interface BlobRange {
  readonly hash: BlobHash;
  readonly start: number;
  readonly end: number;
}

/** One blob as listBlobs reports it. */
export interface StoredBlob {
  readonly hash: BlobHash;
  /** The blob a prefixed blob's bytes continue with; null for a plain blob. */
  readonly base: BlobHash | null;
}

export interface NewAccount {
  readonly address: string;
  readonly passwordHash: string;
  readonly quota: QuotaLimits;
}

export interface AccountRepository {
  /** Creates the account and its INBOX. Rejects with alreadyExists if the address is taken. */
  create(input: NewAccount): Promise<AccountRecord>;
  get(id: AccountId): Promise<AccountRecord | undefined>;
  findByAddress(address: string): Promise<AccountRecord | undefined>;
  list(): Promise<AccountRecord[]>;
  setPasswordHash(id: AccountId, passwordHash: string): Promise<void>;
  setQuota(id: AccountId, quota: QuotaLimits): Promise<void>;
  /**
   * Changes the account's address in one transaction, keeping its id (so mail, UIDs, credentials and
   * everything keyed by it stay): alias targets, catch-alls and ACL grants naming the old address follow.
   * Rejects with alreadyExists when the new address is an account's or an alias's.
   */
  rename(id: AccountId, newAddress: string): Promise<AccountRecord>;
  /** Deletes the account with all mailboxes and entries; its blobs become garbage. */
  delete(id: AccountId): Promise<void>;
}

/** An account's password hash and the SCRAM-SHA-256 keys derived from the same password. */
export interface PasswordCredential {
  /** PHC scrypt string, or an imported `{SCHEME}…` hash until the next login rehashes it. */
  readonly passwordHash: string;
  /** `{SCRAM-SHA-256}i,salt,StoredKey,ServerKey` (auth/scram-keys.ts), or null when none match the hash. */
  readonly scramSha256: string | null;
}

/** An application password (a second, revocable credential of one account); only its hash is kept. */
export interface AppPasswordRecord {
  readonly id: string;
  readonly accountId: AccountId;
  readonly label: string;
  readonly passwordHash: string;
  readonly createdAtMs: number;
  readonly lastUsedAtMs: number | null;
}

export interface NewAppPassword {
  readonly label: string;
  readonly passwordHash: string;
}

/**
 * Credentials beside the account row: SCRAM keys bound to the password hash they were derived with (keys
 * left from an older hash are never returned), and application passwords. Each method is one transaction.
 */
export interface CredentialRepository {
  /** Undefined if the account does not exist. */
  getPassword(accountId: AccountId): Promise<PasswordCredential | undefined>;
  /**
   * Replaces hash and SCRAM keys together. With `expectedHash`, writes only if the stored hash still
   * equals it (a rehash at login must not undo a concurrent password change) and returns whether it
   * wrote. Rejects with nonexistent for an unknown account.
   */
  setPassword(accountId: AccountId, credential: PasswordCredential, expectedHash?: string): Promise<boolean>;
  /** Rejects with nonexistent for an unknown account, alreadyExists for a label the account already uses. */
  addAppPassword(accountId: AccountId, input: NewAppPassword): Promise<AppPasswordRecord>;
  /** Oldest first. */
  listAppPasswords(accountId: AccountId): Promise<AppPasswordRecord[]>;
  /** Deletes it at once; rejects with nonexistent if the account has no such app password. */
  revokeAppPassword(accountId: AccountId, id: string): Promise<void>;
  /** Records a successful login with it; a revoked id is ignored. */
  touchAppPassword(accountId: AccountId, id: string, atMs: number): Promise<void>;
}

export interface MailboxRepository {
  list(accountId: AccountId): Promise<MailboxRecord[]>;
  get(accountId: AccountId, id: MailboxId): Promise<MailboxRecord | undefined>;
  /** INBOX is matched case-insensitively; other names exactly. */
  findByName(accountId: AccountId, name: string): Promise<MailboxRecord | undefined>;
  /** Creates one mailbox (not its parents). Rejects with alreadyExists. A new name gets a new UIDVALIDITY. */
  create(accountId: AccountId, name: string, specialUse: SpecialUse | null): Promise<MailboxRecord>;
  /**
   * Renames a mailbox and every mailbox below it ("a/b" → "c/b" when "a" becomes "c"), keeping ids,
   * UIDVALIDITY and contents. Renaming INBOX moves its messages into a new mailbox instead and leaves
   * INBOX empty (RFC 9051 §6.3.6).
   */
  rename(accountId: AccountId, id: MailboxId, newName: string): Promise<MailboxRecord>;
  /** Deletes the mailbox and its entries (leaving tombstones); children are not touched. */
  delete(accountId: AccountId, id: MailboxId): Promise<void>;
  setSpecialUse(accountId: AccountId, id: MailboxId, specialUse: SpecialUse | null): Promise<void>;
  /** Subscriptions are by name and may name mailboxes that do not exist (RFC 9051 §6.3.7). */
  setSubscribed(accountId: AccountId, name: string, subscribed: boolean): Promise<void>;
  listSubscriptions(accountId: AccountId): Promise<string[]>;
  /**
   * Atomically claims \Recent for UIDs from the mailbox's recent floor up to `uidNext`:
   * returns the previous floor and raises it, so exactly one session sees each message as recent.
   */
  claimRecent(accountId: AccountId, id: MailboxId, uidNext: Uid): Promise<Uid>;
  /**
   * Import only: gives a mailbox the UIDVALIDITY and UIDNEXT of the folder it is imported from, so IMAP
   * clients keep their caches. Allowed while the mailbox has never held a message (UIDNEXT 1), or when
   * it already has this UIDVALIDITY (a re-run: UIDNEXT only rises). Rejects with cannot otherwise.
   * Counts as a change of the mailbox (a session that had it selected sees another UIDVALIDITY).
   */
  adoptUids(accountId: AccountId, id: MailboxId, uidValidity: number, uidNext: Uid): Promise<MailboxRecord>;
}

/** What a search can ask the store about an email's content (ARCHITECTURE.md "search/"). */
export type EmailTextField = "subject" | "from" | "to" | "cc" | "bcc" | "body" | "text";

/**
 * One content criterion of a search. Text is a case-insensitive substring match (RFC 9051 §6.4.4) over
 * the decoded text the indexer stored: `subject`; `from`/`to`/`cc`/`bcc` as display names and
 * addresses; `text` as all decoded header values plus every text part. `body` is searched in the same
 * text as `text` for now (a header-only hit also matches; the index does not yet keep them apart).
 * `sentDate` is the Date: header in [sinceMs, beforeMs) (null = open), the internal date when the
 * header is missing or unparseable (as RFC 5256 §2.2 does for sorting).
 */
export type EmailCriterion =
  | { readonly kind: "text"; readonly field: EmailTextField; readonly value: string }
  /**
   * IMAP `HEADER name value` (RFC 9051 §6.4.4): the email has a top-level header field called `name`
   * (compared case-insensitively) whose value, unfolded and RFC 2047-decoded, contains `value` as a
   * case-insensitive substring (folded as text is, mime/search-fold.ts); an empty `value` asks only
   * that the field be present, even with an empty value. Backends answer it from a header index
   * written at append time from `MessageIndex.headerFields`, never by reading the message.
   */
  | { readonly kind: "header"; readonly name: string; readonly value: string }
  | { readonly kind: "sentDate"; readonly sinceMs: number | null; readonly beforeMs: number | null }
  /**
   * The email has an attachment as `MessageIndex.hasAttachment` says (the JMAP Email property, RFC 8621
   * §4.1.4): backends keep it in a column written at append, never reading the index at search time.
   */
  | { readonly kind: "hasAttachment" };

export interface MessageRepository {
  /**
   * Adds a message (whose blob is already durable) to a mailbox. Allocates the next UID and modseq,
   * indexes the email for search, updates counts and quota; rejects with overQuota when enforced
   * limits would be exceeded, nonexistent when the mailbox is gone.
   */
  append(accountId: AccountId, mailboxId: MailboxId, message: NewMessage): Promise<AppendResult>;
  /**
   * Appends several messages atomically: all or none (RFC 3502 MULTIAPPEND, bulk import), with
   * consecutive UIDs and one modseq.
   */
  appendMany(
    accountId: AccountId,
    mailboxId: MailboxId,
    messages: readonly NewMessage[],
  ): Promise<AppendResult[]>;
  /**
   * RFC 8508 REPLACE in one transaction: expunges `replacedUid` from `from` and appends `message` to `to`
   * (as `append`; the quota is checked with the old message gone). Every reader, and the data after a
   * crash at any moment, has either the old message or the new one, never both and never neither.
   * Rejects as `append` does, leaving the old message in place.
   */
  replace(
    accountId: AccountId,
    from: MailboxId,
    replacedUid: Uid,
    to: MailboxId,
    message: NewMessage,
  ): Promise<ReplaceResult>;
  /** Entries with UIDs in [fromUid, toUid], ascending. */
  listEntries(mailboxId: MailboxId, fromUid?: Uid, toUid?: Uid): Promise<MailboxEntry[]>;
  /**
   * Every entry of the mailbox, ascending, without its email's blob (blobHash and crlfSize undefined): the
   * entries table alone, for views of a whole account that never read a body (JMAP's maps), at about a
   * third of what listEntries costs on 100,000 entries. With `afterUid` and `limit`, the first `limit` entries
   * whose UID is above `afterUid`: a long read in slices, between which other work runs.
   */
  listEntriesWithoutBlobs(mailboxId: MailboxId, afterUid?: Uid, limit?: number): Promise<MailboxEntry[]>;
  /**
   * The mailbox's distinct emails and threads, and those of them with an entry that has neither \Seen nor
   * \Draft (JMAP's unread, RFC 8621 §2), counted by the store: a client's first look at a large mailbox
   * without reading every entry.
   */
  countEmails(mailboxId: MailboxId): Promise<MailboxEmailCounts>;
  /**
   * The mailbox's `limit` entries with the latest internal dates (then by email id, then UID), newest
   * first, without blobs: the first page of a mailbox by date without reading every entry.
   */
  listNewestEntries(mailboxId: MailboxId, limit: number): Promise<MailboxEntry[]>;
  /** Every entry (in any mailbox) of these emails of the account, without blobs, by mailbox and UID. */
  listEntriesOfEmails(accountId: AccountId, emailIds: readonly EmailId[]): Promise<MailboxEntry[]>;
  /** Every entry (in any mailbox) of the account's emails in these threads, without blobs, by mailbox and UID. */
  listEntriesOfThreads(accountId: AccountId, threadIds: readonly ThreadId[]): Promise<MailboxEntry[]>;
  /** Entries for exactly these UIDs (missing ones are skipped), ascending. */
  getEntries(mailboxId: MailboxId, uids: readonly Uid[]): Promise<MailboxEntry[]>;
  /**
   * Summaries of these emails, including destroyed ones not yet purged: a session's snapshot may still
   * show a message another session expunged, and may fetch it. With `texts`, only those of the texts
   * are read (a listing FETCH of a whole mailbox reads ENVELOPE and BODYSTRUCTURE, not the preview); a
   * summary kept from an earlier read (store/summary-cache.ts) may carry more.
   */
  getEmailSummaries(emailIds: readonly EmailId[]): Promise<Map<EmailId, EmailSummary>>;
  getEmailSummaries<K extends SummaryText>(
    emailIds: readonly EmailId[],
    texts: readonly K[],
  ): Promise<Map<EmailId, EmailSummaryWith<K>>>;
  /**
   * SORT/THREAD keys (mime/sort-keys.ts) of these emails, destroyed-but-unpurged ones included, in one
   * round trip per batch; unknown ids are left out. Emails stored before the keys existed get them
   * computed from their stored index.
   */
  getSortKeys(emailIds: readonly EmailId[]): Promise<Map<EmailId, EmailSortKeys>>;
  /** The email with its full index, if it still has an entry in some mailbox of the account. */
  getEmail(accountId: AccountId, emailId: EmailId): Promise<EmailRecord | undefined>;
  updateFlags(
    accountId: AccountId,
    mailboxId: MailboxId,
    uids: readonly Uid[],
    update: FlagUpdate,
  ): Promise<FlagUpdateResult>;
  /** Copies entries (sharing the email) into another mailbox with new UIDs; quota is checked. */
  copy(accountId: AccountId, from: MailboxId, uids: readonly Uid[], to: MailboxId): Promise<CopyResult>;
  /** Moves entries atomically: copy then expunge in one transaction (RFC 6851). */
  move(accountId: AccountId, from: MailboxId, uids: readonly Uid[], to: MailboxId): Promise<CopyResult>;
  /**
   * Removes the entries, leaving tombstones; returns the UIDs actually removed, ascending. With
   * `onlyDeleted`, only entries that carry \Deleted at commit time go (IMAP EXPUNGE, RFC 9051 §6.4.3),
   * so a concurrent -FLAGS \Deleted from another session is never overridden.
   */
  expunge(
    accountId: AccountId,
    mailboxId: MailboxId,
    uids: readonly Uid[],
    options?: { readonly onlyDeleted?: boolean },
  ): Promise<Uid[]>;
  /** The UIDLs imported with the mailbox's entries (NewMessage.importedUidl), by UID; POP3 prefers them. */
  listImportedUidls(mailboxId: MailboxId): Promise<Map<Uid, string>>;
  /** Removes emails destroyed (left without entries) more than `olderThanMs` ago; returns how many. */
  purgeDestroyedEmails(olderThanMs: number): Promise<number>;
  /**
   * Whether any email (destroyed-but-unpurged ones included), unexpired JMAP upload or queued outbound
   * message references the blob (for garbage collection).
   */
  isBlobReferenced(hash: BlobHash): Promise<boolean>;
  /**
   * The emails with an entry in the mailbox that meet every criterion (an empty list: all of them).
   * Answered from the stored search text, never by reading message bodies.
   */
  matchEmails(mailboxId: MailboxId, criteria: readonly EmailCriterion[]): Promise<Set<EmailId>>;
}

export interface ChangeLog {
  mailboxChangesSince(
    mailboxId: MailboxId,
    uidValidity: number,
    sinceModSeq: ModSeq,
  ): Promise<MailboxChanges>;
  accountChangesSince(accountId: AccountId, sinceModSeq: ModSeq): Promise<AccountChanges>;
}

/** A domain this server receives mail for (RFC 5321 §2.3.5), stored lower-case. */
export interface DomainRecord {
  readonly name: string;
  /** Address that receives mail for unknown local parts of this domain, or null. */
  readonly catchAll: string | null;
  readonly createdAtMs: number;
}

/** An alias address (lower-case) and the addresses it delivers to, sorted. */
export interface AliasRecord {
  readonly address: string;
  readonly targets: readonly string[];
}

/**
 * Local domains, aliases and catch-alls (RFC 5321 §3.6: the server decides which domains are local).
 * Names and addresses are compared lower-case. Each method is one atomic transaction.
 */
export interface DomainRepository {
  /** Rejects with alreadyExists. */
  addDomain(name: string): Promise<DomainRecord>;
  getDomain(name: string): Promise<DomainRecord | undefined>;
  listDomains(): Promise<DomainRecord[]>;
  /**
   * Removes the domain with its aliases and catch-all. Rejects with nonexistent, and with cannot while
   * accounts still have addresses in it.
   */
  deleteDomain(name: string): Promise<void>;
  /** A domain is local when it was added, or when an account has an address in it. */
  isLocalDomain(name: string): Promise<boolean>;
  /** Sets or clears (null) the catch-all; rejects with nonexistent for an unknown domain. */
  setCatchAll(name: string, target: string | null): Promise<void>;
  /**
   * Adds one target to an alias (creating the alias). Rejects with nonexistent when the alias's domain is
   * not local, alreadyExists when the alias already has this target or the address is an account.
   */
  addAliasTarget(address: string, target: string): Promise<AliasRecord>;
  /** Removes one target, or the whole alias when `target` is omitted; rejects with nonexistent. */
  removeAlias(address: string, target?: string): Promise<void>;
  findAlias(address: string): Promise<AliasRecord | undefined>;
  /** All aliases, or those of one domain, ordered by address. */
  listAliases(domain?: string): Promise<AliasRecord[]>;
}

/** DKIM signing algorithms (RFC 6376 §3.3, RFC 8463 for Ed25519). */
export type DkimAlgorithm = "rsa-sha256" | "ed25519-sha256";

/** A domain's DKIM signing key (RFC 6376 §3.6.1): what outbound mail from the domain is signed with. */
export interface DkimKeyRecord {
  /** Lower-case; the signature's d=. */
  readonly domain: string;
  /** The signature's s=: the key is published at `<selector>._domainkey.<domain>`. */
  readonly selector: string;
  readonly algorithm: DkimAlgorithm;
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string;
  /** Base64 of the public key as the DNS record's p= carries it. */
  readonly publicKey: string;
  readonly createdAtMs: number;
}

/**
 * DKIM signing keys, one per domain, shared by every node of the store. Domains compare lower-case.
 * Each method is one atomic transaction.
 */
export interface DkimKeyRepository {
  /** Stores the domain's key; rejects with alreadyExists when it has one, unless `replace`. */
  saveDkimKey(key: DkimKeyRecord, options: { readonly replace: boolean }): Promise<void>;
  getDkimKey(domain: string): Promise<DkimKeyRecord | undefined>;
  /** Ordered by domain. */
  listDkimKeys(): Promise<DkimKeyRecord[]>;
  /** Rejects with nonexistent when the domain has no key. */
  deleteDkimKey(domain: string): Promise<void>;
}

/**
 * IMAP URLAUTH mailbox access keys (RFC 4467 §3): one secret per user and mailbox, made on first use,
 * that URLAUTH tokens are computed with. A key goes with its mailbox and account.
 */
export interface UrlAuthKeyRepository {
  /** The mailbox's key; stores `candidate` first when it has none (a concurrent caller's wins). */
  getOrCreateUrlAuthKey(accountId: AccountId, mailboxId: MailboxId, candidate: Buffer): Promise<Buffer>;
  /** The mailbox's key, or undefined when none was made (or it was reset). */
  getUrlAuthKey(accountId: AccountId, mailboxId: MailboxId): Promise<Buffer | undefined>;
  /** RESETKEY: forgets the key of one mailbox, or of all the account's mailboxes. */
  resetUrlAuthKeys(accountId: AccountId, mailboxId?: MailboxId): Promise<void>;
}

/**
 * One stored annotation (RFC 5464 §3): of a mailbox, or of the server when `mailboxId` is null (IMAP's
 * mailbox name ""). Server entries belong to an account too: each account has its own.
 */
export interface MetadataRecord {
  readonly mailboxId: MailboxId | null;
  /** Whose private entry this is (RFC 5464 §3.3 `/private`); null for a shared entry (`/shared`). */
  readonly ownerId: AccountId | null;
  /** The name below `/private` or `/shared`, lower-case, starting with "/": "/comment", "/vendor/x/y". */
  readonly name: string;
  readonly value: Uint8Array;
}

/** One change of a metadata write: `value` null removes the entry (RFC 5464 §4.3 NIL). */
export interface MetadataWrite {
  readonly ownerId: AccountId | null;
  readonly name: string;
  readonly value: Uint8Array | null;
}

/** Bounds a metadata write must keep (checked inside its transaction, so concurrent writers cannot pass them). */
export interface MetadataLimits {
  /** Entries of one mailbox (or of the server), shared and every user's private ones together. */
  readonly maxEntriesPerMailbox: number;
  /** Bytes of all entries of the account (name plus value), server and mailboxes together. */
  readonly maxAccountBytes: number;
}

/** How a metadata write ended: applied, or refused whole because it would pass a limit. */
export type MetadataWriteOutcome = "written" | "tooManyEntries" | "accountFull";

/**
 * Mailbox and server annotations (RFC 5464). Entries live with their mailbox: they follow a rename (they
 * are keyed by mailbox id) and go when the mailbox or the account is deleted.
 */
export interface MetadataRepository {
  /**
   * The entries of the account's server (null) or mailboxes that `viewer` sees: the shared ones and
   * `viewer`'s private ones, ordered by mailbox id, then name, shared before private. Without
   * `mailboxIds`: those of the server and of every mailbox of the account.
   */
  list(
    accountId: AccountId,
    viewer: AccountId,
    mailboxIds?: readonly (MailboxId | null)[],
  ): Promise<MetadataRecord[]>;
  /**
   * Applies every write or none (RFC 5464 §4.3). A write that would leave more entries in the mailbox
   * than the limit, or more bytes in the account, changes nothing and says which limit, unless it does
   * not grow that count (removals and same-size replacements always pass). Rejects with nonexistent
   * when the mailbox is not the account's. A write publishes a change event of the mailbox (null for
   * the server's entries) with modseq 0: annotations take no modseq (NOTIFY re-reads them, RFC 5465 §5.6).
   */
  write(
    accountId: AccountId,
    mailboxId: MailboxId | null,
    writes: readonly MetadataWrite[],
    limits: MetadataLimits,
  ): Promise<MetadataWriteOutcome>;
}

/** One entry of a mailbox's access control list (RFC 4314 §2): an identifier and the rights it holds. */
export interface AclEntry {
  /** A user's address (lower-case), or the special identifiers "anyone" and "authenticated". */
  readonly identifier: string;
  /** Canonical right letters in "lrswipkxtea" order (mail/access/rights.ts), never empty. */
  readonly rights: string;
}

/** A mailbox of another account that an ACL entry names a user (or anyone) in. */
export interface MailboxGrant {
  /** The mailbox as its owner sees it (`subscribed` is the owner's, of no meaning to the grantee). */
  readonly mailbox: MailboxRecord;
  readonly ownerAddress: string;
  readonly identifier: string;
  readonly rights: string;
}

/**
 * Access control lists of mailboxes (RFC 4314). The owner's own rights are implicit (all of them) and
 * never stored. Entries go with their mailbox (DELETE removes them, RENAME keeps them), and an account's
 * deletion removes the entries naming its address, so a later account of that address inherits nothing.
 */
export interface AclRepository {
  /** The mailbox's entries, by identifier; empty for an unknown mailbox. */
  list(accountId: AccountId, mailboxId: MailboxId): Promise<AclEntry[]>;
  /**
   * Sets an identifier's rights (canonical letters), or removes its entry when `rights` is empty. Counts
   * as a change of the mailbox (a new modseq, published), so sessions re-check what they may do.
   * Rejects with nonexistent when the mailbox is not the account's.
   */
  set(accountId: AccountId, mailboxId: MailboxId, identifier: string, rights: string): Promise<void>;
  /** Mailboxes of accounts other than `exceptAccountId` with an entry for any of `identifiers`. */
  listGrants(identifiers: readonly string[], exceptAccountId: AccountId): Promise<MailboxGrant[]>;
}

/** A blob uploaded over JMAP (RFC 8620 §6.1), waiting to be referenced (Email/import, Email/parse). */
export interface UploadRecord {
  /** The JMAP blobId it was given: unique, URL-safe. */
  readonly id: string;
  readonly accountId: AccountId;
  readonly blobHash: BlobHash;
  readonly size: number;
  /** The Content-Type the client sent. */
  readonly type: string;
  readonly createdAtMs: number;
}

/**
 * Uploaded blobs of each account. A record keeps its blob from garbage collection (isBlobReferenced
 * counts it) until it expires; an upload belongs to its account only.
 */
export interface UploadRepository {
  /** Records an upload whose blob is already stored (durable). */
  add(record: UploadRecord): Promise<void>;
  /** The upload, only if it is this account's. */
  get(accountId: AccountId, id: string): Promise<UploadRecord | undefined>;
  /** Forgets uploads made before `beforeMs` (their blobs become garbage if nothing else needs them). */
  expire(beforeMs: number): Promise<number>;
}

/**
 * A JMAP object kept by the server for a type with no IMAP counterpart (RFC 8621 EmailSubmission,
 * Identity settings): its JSON, and the modseqs of its type's own counter for /changes.
 */
export interface JmapObjectRecord {
  readonly id: string;
  /** The object as JSON; null once destroyed (the row stays as a tombstone for /changes). */
  readonly data: string | null;
  /** The modseq at which it was created (a later one than a client's state means "created"). */
  readonly createdModSeq: number;
  /** The modseq of its last change. */
  readonly modSeq: number;
}

/**
 * JMAP objects per account and type, each type with its own change counter (starting at 1, never
 * reused), so /get answers a state and /changes what changed since one. Objects go with their account.
 * Every write publishes objectChanged(account) on the notifier, so JMAP push reports the new state.
 */
export interface JmapObjectRepository {
  /** The live objects of a type, by id. */
  list(accountId: AccountId, type: string): Promise<JmapObjectRecord[]>;
  /** Creates or replaces an object (a destroyed id comes back as created); resolves to its new modseq. */
  put(accountId: AccountId, type: string, id: string, data: string): Promise<number>;
  /** Destroys a live object; false when there is none. */
  destroy(accountId: AccountId, type: string, id: string): Promise<boolean>;
  /** Objects changed after `modSeq`, tombstones included, oldest change first. */
  changesSince(accountId: AccountId, type: string, modSeq: number): Promise<JmapObjectRecord[]>;
  /** The type's counter: the modseq of its latest change, 0 before any. */
  highestModSeq(accountId: AccountId, type: string): Promise<number>;
}

/**
 * One recipient of a message waiting in the outbound queue (docs/submission.md): the message bytes are a
 * blob like a stored message's, shared by the message's recipients; the row says when to try next.
 */
export interface OutboundRecord {
  /** This recipient's queue id ("Q…"); unique. */
  readonly id: string;
  /** Groups the recipients of one submitted message; `postfach queue` shows it. */
  readonly messageId: string;
  /** The submitting account (its DSNs, its Sent copy, its JMAP submission); null once deleted. */
  readonly accountId: AccountId | null;
  /** The JMAP EmailSubmission whose deliveryStatus follows this recipient; null for SMTP submissions. */
  readonly submissionId: string | null;
  /** MAIL FROM; "" for the null reverse-path (a DSN is never sent for those). */
  readonly returnPath: string;
  readonly recipient: string;
  readonly blobHash: BlobHash;
  readonly size: number;
  readonly createdAtMs: number;
  readonly nextAttemptAtMs: number;
  /** Attempts made so far. */
  readonly attempts: number;
  /** The last temporary failure ("451 4.3.0 …" or a connection error), null before the first attempt. */
  readonly lastError: string | null;
}

export interface OutboundQueueCount {
  readonly queued: number;
  readonly deferred: number;
}

/**
 * The durable outbound queue (RFC 5321 §4.5.4). Enqueued recipients survive restarts and keep their
 * blob from garbage collection (isBlobReferenced counts them) until removed. Several senders (nodes of a
 * shared store) may poll it: claimDue hands each due recipient to one of them at a time.
 */
export interface OutboundQueueRepository {
  /** Adds the recipients of one message at once; its blob must be durable already. */
  enqueue(records: readonly OutboundRecord[]): Promise<void>;
  /** Every queued recipient, oldest message first. */
  list(): Promise<OutboundRecord[]>;
  /** How many recipients are queued, and how many of them are deferred (a temporary failure, attempts > 0): /metrics. */
  count(): Promise<OutboundQueueCount>;
  /**
   * Takes up to `limit` recipients due at `nowMs` (next attempt at or before it) and, in the same
   * transaction, moves their next attempt to `leaseUntilMs`: no other poller takes them while they are
   * sent, and if the sender dies the lease runs out and they are tried again (a duplicate, never a loss).
   */
  claimDue(nowMs: number, leaseUntilMs: number, limit: number): Promise<OutboundRecord[]>;
  /** Records a failed attempt: the attempt count, when to try next and why it failed. */
  reschedule(id: string, attempts: number, nextAttemptAtMs: number, lastError: string): Promise<void>;
  /**
   * Makes recipients due at `nowMs`: those whose id or message id is in `ids`, or all when `ids` is
   * undefined. Resolves to how many.
   */
  retryNow(nowMs: number, ids?: readonly string[]): Promise<number>;
  /** Removes recipients by id or message id (delivered, bounced or deleted); resolves to how many. */
  remove(ids: readonly string[]): Promise<number>;
}

/** One Sieve script of an account (RFC 5804 §1.6 names; RFC 5228 text). */
export interface SieveScriptRecord {
  readonly name: string;
  /** The script as UTF-8 text, exactly as uploaded. */
  readonly content: string;
  /** UTF-8 bytes of `content`: what quotas count. */
  readonly sizeBytes: number;
  readonly isActive: boolean;
  readonly updatedAtMs: number;
}

/** Bounds a script write must keep (checked inside its transaction, so concurrent writers cannot pass them). */
export interface SieveScriptLimits {
  /** Scripts per account. */
  readonly maxScripts: number;
  /** UTF-8 bytes of all the account's scripts together. */
  readonly maxTotalBytes: number;
}

/** How a script write ended: stored (created or replaced), or refused whole because of a limit. */
export type SieveScriptPutOutcome = "stored" | "tooManyScripts" | "accountFull";

/**
 * Sieve scripts per account (RFC 5804 storage): unique names, at most one active script, and the
 * record of automatic replies sent (RFC 5230 §4.2 de-duplication by sender and handle). Everything
 * goes with its account.
 */
export interface SieveScriptRepository {
  /** The account's scripts, by name (content included: scripts are small and few). */
  list(accountId: AccountId): Promise<SieveScriptRecord[]>;
  get(accountId: AccountId, name: string): Promise<SieveScriptRecord | undefined>;
  /** The active script, if one is. */
  getActive(accountId: AccountId): Promise<SieveScriptRecord | undefined>;
  /** Creates or replaces a script (a replaced active script stays active) unless it would pass a limit. */
  put(
    accountId: AccountId,
    name: string,
    content: string,
    limits: SieveScriptLimits,
  ): Promise<SieveScriptPutOutcome>;
  /** Makes `name` the one active script, or deactivates all with null; false when `name` does not exist. */
  setActive(accountId: AccountId, name: string | null): Promise<boolean>;
  /** Renames a script (keeping whether it is active). */
  rename(
    accountId: AccountId,
    from: string,
    to: string,
  ): Promise<"renamed" | "nonexistent" | "alreadyExists">;
  /** Deletes an inactive script (RFC 5804 §2.10: the active one cannot be deleted). */
  delete(accountId: AccountId, name: string): Promise<"deleted" | "nonexistent" | "active">;
  /**
   * Atomically: when no automatic reply under `key` (text naming sender and handle, no NUL) was recorded in the `periodMs`
   * before `nowMs`, records one at `nowMs` and resolves true; otherwise false and nothing changes.
   * Two concurrent deliveries for the same key never both get true.
   */
  claimAutoReply(accountId: AccountId, key: string, nowMs: number, periodMs: number): Promise<boolean>;
}

/**
 * Named leases on background work that one node at a time should do (the blob collector, mail/
 * blob-collection.ts), shared by every node of a store. A lease is held until `untilMs` or until given
 * back; a holder that dies loses it when it runs out. Leases keep nodes from doing the same work twice,
 * they are not what makes that work safe: work under a lease must stay correct if two run at once (a
 * lease that ran out while its holder was still busy).
 */
export interface LeaseRepository {
  /** Takes (or renews) the lease for `holder` if it is free, ran out before `nowMs`, or is already `holder`'s. */
  tryTake(name: string, holder: string, nowMs: number, untilMs: number): Promise<boolean>;
  /** Gives the lease back if `holder` still holds it. */
  give(name: string, holder: string): Promise<void>;
}

/** A held POP3 maildrop lock; `release` is idempotent and never touches a later holder's lock. */
export interface MaildropLockHandle {
  readonly owner: string;
  release(): void;
}

/**
 * Exclusive access to an account's maildrop for POP3 (RFC 1939 §8: locked for the whole TRANSACTION
 * state). Contract: at most one handle per account exists at a time among all users of the same data
 * (every node of a shared store). `tryAcquire` never waits: it returns null while another owner holds the
 * account. A lock dies with its holder, so a crashed or killed node leaves no stale lock behind.
 */
export interface MaildropLocks {
  tryAcquire(accountId: AccountId, owner: string): Promise<MaildropLockHandle | null>;
}

export interface MailStore {
  readonly accounts: AccountRepository;
  readonly credentials: CredentialRepository;
  readonly mailboxes: MailboxRepository;
  readonly acl: AclRepository;
  readonly messages: MessageRepository;
  readonly changes: ChangeLog;
  readonly domains: DomainRepository;
  readonly dkimKeys: DkimKeyRepository;
  readonly urlAuthKeys: UrlAuthKeyRepository;
  readonly metadata: MetadataRepository;
  readonly uploads: UploadRepository;
  readonly jmapObjects: JmapObjectRepository;
  readonly outbound: OutboundQueueRepository;
  readonly sieve: SieveScriptRepository;
  readonly blobs: BlobStore;
  readonly notifier: ChangeNotifier;
  readonly maildropLocks: MaildropLocks;
  readonly leases: LeaseRepository;
  /** Finishes pending work and releases files and connections; the store is unusable afterwards. */
  close(): Promise<void>;
}

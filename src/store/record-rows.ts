// Row shapes both backends' schemas share (SQLite's, and PostgreSQL's with int8 read as numbers), and
// their mapping to the store's records.
import { randomBytes } from "node:crypto";
import type { AccountId, BlobHash, EmailId, MailboxId, ModSeq, ThreadId, Uid } from "../kit/ids.js";
import { MailError } from "../kit/mail-error.js";
import { DRAFT_BIT, decodeFlagSet, SEEN_BIT } from "./flag-codec.js";
import type {
  AccountRecord,
  AliasRecord,
  AppPasswordRecord,
  DkimAlgorithm,
  DkimKeyRecord,
  DomainRecord,
  EmailChange,
  EmailSummary,
  EmailSummaryWith,
  MailboxChange,
  MailboxEntry,
  MailboxRecord,
  SpecialUse,
  SummaryText,
  UploadRecord,
} from "./mail-store.js";

export interface AccountRow {
  id: number;
  address: string;
  password_hash: string;
  quota_bytes: number | null;
  quota_messages: number | null;
  used_bytes: number;
  message_count: number;
  highest_modseq: number;
  last_uid_validity: number;
  created_at: number;
}

export interface MailboxRow {
  id: string;
  account_id: number;
  name: string;
  uid_validity: number;
  uid_next: number;
  highest_modseq: number;
  modseq: number;
  special_use: string | null;
  message_count: number;
  unseen_count: number;
  deleted_count: number;
  total_bytes: number;
  recent_floor: number;
}

export interface EntryRow {
  mailbox_id: string;
  uid: number;
  account_id: number;
  modseq: number;
  flags: number;
  keywords: string;
  email_id: string;
  thread_id: string;
  size: number;
  internal_date: number;
  save_date: number;
  /** The email's blob_hash and crlf_size, joined in by the reads that serve snapshots (else absent). */
  blob_hash?: string | null;
  crlf_size?: number | null;
}

export function toAccountRecord(row: AccountRow): AccountRecord {
  return {
    id: row.id as AccountId,
    address: row.address,
    passwordHash: row.password_hash,
    quota: { storageBytes: row.quota_bytes, messages: row.quota_messages },
    usedBytes: row.used_bytes,
    messageCount: row.message_count,
    highestModSeq: row.highest_modseq as ModSeq,
    createdAtMs: row.created_at,
  };
}

export function toMailboxRecord(row: MailboxRow, subscribed: boolean): MailboxRecord {
  return {
    id: row.id as MailboxId,
    accountId: row.account_id as AccountId,
    name: row.name,
    uidValidity: row.uid_validity,
    uidNext: row.uid_next as Uid,
    highestModSeq: row.highest_modseq as ModSeq,
    specialUse: row.special_use as SpecialUse | null,
    subscribed,
    messageCount: row.message_count,
    unseenCount: row.unseen_count,
    deletedCount: row.deleted_count,
    totalBytes: row.total_bytes,
    recentUidFloor: row.recent_floor as Uid,
    modSeq: row.modseq as ModSeq,
  };
}

/**
 * `SELECT` list and `FROM` of entry rows with their email's blob_hash and crlf_size (alias `e` for entries), for the
 * reads that fill snapshots; both backends' SQL. Emails outlive their entries, so the join loses none.
 */
export const ENTRY_WITH_BLOB =
  "e.*, m.blob_hash, m.crlf_size FROM entries e JOIN emails m ON m.id = e.email_id";

export function toMailboxEntry(row: EntryRow): MailboxEntry {
  return {
    mailboxId: row.mailbox_id as MailboxId,
    uid: row.uid as Uid,
    modSeq: row.modseq as ModSeq,
    flags: decodeFlagSet(row.flags, row.keywords),
    emailId: row.email_id as EmailId,
    threadId: row.thread_id as ThreadId,
    size: row.size,
    internalDateMs: row.internal_date,
    saveDateMs: row.save_date,
    blobHash: (row.blob_hash ?? undefined) as BlobHash | undefined,
    // An email older than the crlf_size column counts its size (as toSummary does).
    crlfSize: row.blob_hash == null ? undefined : (row.crlf_size ?? row.size),
  };
}

/**
 * The columns of an entry listEntriesWithoutBlobs reads (both backends' SQL), read as arrays rather than
 * row objects: not the mailbox, which the caller names (one string shared by every entry instead of one
 * per row), nor the email's blob.
 */
export const ENTRY_WITHOUT_BLOB_COLUMNS =
  "uid, modseq, flags, keywords, email_id, thread_id, size, internal_date, save_date";

export type EntryTupleWithoutBlob = readonly [
  uid: number,
  modseq: number,
  flags: number,
  keywords: string,
  emailId: string,
  threadId: string,
  size: number,
  internalDate: number,
  saveDate: number,
];

export function toMailboxEntryWithoutBlob(mailboxId: MailboxId, row: EntryTupleWithoutBlob): MailboxEntry {
  return entryOfTuple(mailboxId, row, undefined, undefined);
}

/** An entry from the ENTRY_WITHOUT_BLOB_COLUMNS at the head of `row`, with the blob given. */
function entryOfTuple(
  mailboxId: MailboxId,
  row: EntryTupleWithoutBlob | EntryTupleWithBlob,
  blobHash: BlobHash | undefined,
  crlfSize: number | undefined,
): MailboxEntry {
  return {
    mailboxId,
    uid: row[0] as Uid,
    modSeq: row[1] as ModSeq,
    flags: decodeFlagSet(row[2], row[3]),
    emailId: row[4] as EmailId,
    threadId: row[5] as ThreadId,
    size: row[6],
    internalDateMs: row[7],
    saveDateMs: row[8],
    blobHash,
    crlfSize,
  };
}

/**
 * ENTRY_WITHOUT_BLOB_COLUMNS of `entries e` and the blob of its email `m` (ENTRY_WITH_BLOB's join), read
 * as arrays: a snapshot of a mailbox (a POP3 login, a SELECT the cache does not hold) in about half the
 * time of row objects.
 */
export const ENTRY_WITH_BLOB_COLUMNS = `${ENTRY_WITHOUT_BLOB_COLUMNS.split(", ")
  .map((column) => `e.${column}`)
  .join(", ")}, m.blob_hash, m.crlf_size FROM entries e JOIN emails m ON m.id = e.email_id`;

export type EntryTupleWithBlob = readonly [
  ...EntryTupleWithoutBlob,
  blobHash: string | null,
  crlfSize: number | null,
];

export function toMailboxEntryWithBlob(mailboxId: MailboxId, row: EntryTupleWithBlob): MailboxEntry {
  const blobHash = row[9];
  // An email older than the crlf_size column counts its size (as toMailboxEntry does).
  return blobHash === null
    ? entryOfTuple(mailboxId, row, undefined, undefined)
    : entryOfTuple(mailboxId, row, blobHash as BlobHash, row[10] ?? row[6]);
}

/** ENTRY_WITHOUT_BLOB_COLUMNS after the mailbox id, for reads across mailboxes. */
export const ENTRY_WITH_MAILBOX_COLUMNS = `mailbox_id, ${ENTRY_WITHOUT_BLOB_COLUMNS}`;

export type EntryTupleWithMailbox = readonly [mailboxId: string, ...EntryTupleWithoutBlob];

export function toMailboxEntryWithMailbox(row: EntryTupleWithMailbox): MailboxEntry {
  const [mailboxId, uid, modSeq, flags, keywords, emailId, threadId, size, internalDate, saveDate] = row;
  return toMailboxEntryWithoutBlob(mailboxId as MailboxId, [
    uid,
    modSeq,
    flags,
    keywords,
    emailId,
    threadId,
    size,
    internalDate,
    saveDate,
  ]);
}

/** Flags that keep an entry from counting as unread in MessageRepository.countEmails: \Seen and \Draft. */
export const NOT_UNREAD_BITS = SEEN_BIT | DRAFT_BIT;

/** countEmails' SQL for both backends, the mailbox as the first parameter (`?` or `$1`). */
export function countEmailsSql(parameter: string): string {
  const unread = `flags & ${NOT_UNREAD_BITS} = 0`;
  return `SELECT COUNT(DISTINCT email_id), COUNT(DISTINCT CASE WHEN ${unread} THEN email_id END),
    COUNT(DISTINCT thread_id), COUNT(DISTINCT CASE WHEN ${unread} THEN thread_id END)
    FROM entries WHERE mailbox_id = ${parameter}`;
}

export interface AppPasswordRow {
  id: string;
  account_id: number;
  label: string;
  password_hash: string;
  created_at: number;
  last_used_at: number | null;
}

export const toAppPasswordRecord = (row: AppPasswordRow): AppPasswordRecord => ({
  id: row.id,
  accountId: row.account_id as AccountId,
  label: row.label,
  passwordHash: row.password_hash,
  createdAtMs: row.created_at,
  lastUsedAtMs: row.last_used_at,
});

/** "ap-" and 12 base-32 characters: short enough to type into `app-password del`, not guessable. */
export function newAppPasswordId(): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
  let id = "ap-";
  for (const byte of randomBytes(12)) id += alphabet[byte % alphabet.length];
  return id;
}

export interface DomainRow {
  readonly name: string;
  readonly catch_all: string | null;
  readonly created_at: number;
}

export const toDomainRecord = (row: DomainRow): DomainRecord => ({
  name: row.name,
  catchAll: row.catch_all,
  createdAtMs: row.created_at,
});

export interface DkimKeyRow {
  readonly domain: string;
  readonly selector: string;
  readonly algorithm: string;
  readonly private_key: string;
  readonly public_key: string;
  readonly created_at: number;
}

export const toDkimKeyRecord = (row: DkimKeyRow): DkimKeyRecord => ({
  domain: row.domain,
  selector: row.selector,
  algorithm: row.algorithm as DkimAlgorithm,
  privateKeyPem: row.private_key,
  publicKey: row.public_key,
  createdAtMs: Number(row.created_at),
});

/** The domain part of a lower-cased address. */
export const domainOf = (address: string): string => address.slice(address.lastIndexOf("@") + 1);

/** Tables of an email's derived rows (keyed by email_id), removed with the account's emails. */
export const EMAIL_DERIVED_TABLES = ["email_search", "email_index"] as const;

/** Tables of an account's mail keyed by account_id, removed before its row; the rest cascade from it. */
export const ACCOUNT_MAIL_TABLES = [
  "entries",
  "entry_tombstones",
  "emails",
  "email_tombstones",
  "mailbox_tombstones",
] as const;

export const addressTaken = (address: string): MailError =>
  new MailError("alreadyExists", `${address} is already an account or an alias`);

export const noAccount = (id: AccountId): MailError =>
  new MailError("nonexistent", `No such account (${id})`);

/** An alias_targets row: one target of one alias address. */
export interface AliasTargetRow {
  address: string;
  target: string;
}

/** Rows ordered by address, then target, as one AliasRecord per address. */
export function groupAliasTargets(rows: readonly AliasTargetRow[]): AliasRecord[] {
  const aliases: { address: string; targets: string[] }[] = [];
  for (const row of rows) {
    const last = aliases.at(-1);
    if (last?.address === row.address) last.targets.push(row.target);
    else aliases.push({ address: row.address, targets: [row.target] });
  }
  return aliases;
}

export interface EmailRow {
  id: string;
  account_id: number;
  blob_hash: string;
  size: number;
  crlf_size: number | null;
  thread_id: string;
  envelope: string;
  body_structure: string;
  body: string;
  preview: string;
}

export function toSummary(row: EmailRow): EmailSummary {
  return {
    emailId: row.id as EmailId,
    blobHash: row.blob_hash as BlobHash,
    size: row.size,
    crlfSize: row.crlf_size ?? row.size,
    envelope: row.envelope,
    bodyStructure: row.body_structure,
    body: row.body,
    preview: row.preview,
  };
}

/** The emails table's column of each summary text. */
const SUMMARY_TEXT_COLUMNS: Readonly<Record<SummaryText, string>> = {
  envelope: "envelope",
  bodyStructure: "body_structure",
  body: "body",
  preview: "preview",
};

/** The columns of a summary read as a tuple (both backends' SQL): the head's, then `texts`' in order. */
export function summaryColumns(texts: readonly SummaryText[]): string {
  return ["id, blob_hash, size, crlf_size", ...texts.map((text) => SUMMARY_TEXT_COLUMNS[text])].join(", ");
}

/** A summary from a tuple of `summaryColumns(texts)`. */
export function toSummaryWith<K extends SummaryText>(
  row: readonly unknown[],
  texts: readonly K[],
): EmailSummaryWith<K> {
  const size = row[2] as number;
  const summary: Record<string, unknown> = {
    emailId: row[0],
    blobHash: row[1],
    size,
    // An email older than the crlf_size column counts its size.
    crlfSize: (row[3] as number | null) ?? size,
  };
  for (let i = 0; i < texts.length; i++) summary[texts[i] as K] = row[4 + i];
  return summary as unknown as EmailSummaryWith<K>;
}

/** Rejects with overQuota when adding `count` messages of `bytes` would pass the account's limits. */
export function checkQuota(account: AccountRow, count: number, bytes: number): void {
  if (account.quota_bytes !== null && account.used_bytes + bytes > account.quota_bytes) {
    throw new MailError("overQuota", "Storage quota exceeded");
  }
  if (account.quota_messages !== null && account.message_count + count > account.quota_messages) {
    throw new MailError("overQuota", "Message count quota exceeded");
  }
}

/** A row of accountChangesSince's mailbox query (both backends). */
export interface MailboxChangeRow {
  id: string;
  created_modseq: number;
  last_modseq: number;
  properties_modseq: number;
  is_destroyed: number | boolean;
}

export const toMailboxChange = (row: MailboxChangeRow): MailboxChange => ({
  id: row.id as MailboxId,
  createdModSeq: row.created_modseq as ModSeq,
  lastModSeq: row.last_modseq as ModSeq,
  propertiesModSeq: row.properties_modseq as ModSeq,
  isDestroyed: Boolean(row.is_destroyed),
});

/** A row of accountChangesSince's email query (both backends). */
export interface EmailChangeRow {
  id: string;
  created_modseq: number;
  last_modseq: number;
  thread_id: string | null;
  is_destroyed: number | boolean;
}

export const toEmailChange = (row: EmailChangeRow): EmailChange => ({
  id: row.id as EmailId,
  createdModSeq: row.created_modseq as ModSeq,
  lastModSeq: row.last_modseq as ModSeq,
  threadId: row.thread_id as ThreadId | null,
  isDestroyed: Boolean(row.is_destroyed),
});

/** A jmap_uploads row (RFC 8620 §6.1); PostgreSQL gives int8 columns as strings. */
export interface UploadRow {
  id: string;
  account_id: string | number;
  blob_hash: string;
  size: string | number;
  type: string;
  created_at: string | number;
}

export const toUploadRecord = (row: UploadRow): UploadRecord => ({
  id: row.id,
  accountId: Number(row.account_id) as AccountId,
  blobHash: row.blob_hash as BlobHash,
  size: Number(row.size),
  type: row.type,
  createdAtMs: Number(row.created_at),
});

// Identifiers shared by every layer (ARCHITECTURE.md "Data model"), branded so they cannot be mixed up.
import { randomBytes } from "node:crypto";
import type { Brand } from "./brand.js";

export type AccountId = Brand<number, "AccountId">;
/** Stable mailbox id: RFC 8474 MAILBOXID and the JMAP Mailbox id. */
export type MailboxId = Brand<string, "MailboxId">;
/** Stable message-content id: RFC 8474 EMAILID and the JMAP Email id; copies share it. */
export type EmailId = Brand<string, "EmailId">;
/** RFC 8474 THREADID and the JMAP thread id. */
export type ThreadId = Brand<string, "ThreadId">;
/** IMAP UID within one mailbox (RFC 9051 §2.3.1.1), 1..2^32-1. */
export type Uid = Brand<number, "Uid">;
/** Per-account change counter value (RFC 7162 mod-sequence), 1..2^63-1. */
export type ModSeq = Brand<number, "ModSeq">;
/** SHA-256 of a blob's bytes, lower-case hex. */
export type BlobHash = Brand<string, "BlobHash">;

/** Base 36 in ASCII order, so ids sort by their time part. */
const ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
const TIME_CHARS = 9;
const RANDOM_CHARS = 11;
/** Random bytes drawn at once for many ids: one call into the CSPRNG per 93 ids instead of per id. */
const RANDOM_POOL_BYTES = 1023;
let randomPool = Buffer.alloc(0);
let randomPoolAt = 0;

/**
 * A fresh object id: a one-letter kind prefix, the creation time in milliseconds (9 base-36 characters)
 * and 11 random ones (57 bits), so ids are valid as JMAP ids (RFC 8620 §1.2) and RFC 8474 object ids,
 * never guessable from one another, and sort roughly by creation: a store looking up the ids of one
 * mailbox's messages then reads its tables in the order they were written, not at random.
 */
export function newObjectId(prefix: "M" | "E" | "T", nowMs = Date.now()): string {
  let id = prefix + nowMs.toString(36).padStart(TIME_CHARS, "0").slice(-TIME_CHARS);
  if (randomPoolAt + RANDOM_CHARS > randomPool.length) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomPoolAt = 0;
  }
  for (let i = 0; i < RANDOM_CHARS; i++) {
    id += ID_ALPHABET[(randomPool[randomPoolAt++] as number) % ID_ALPHABET.length];
  }
  return id;
}

export const asUid = (n: number): Uid => n as Uid;
export const asModSeq = (n: number): ModSeq => n as ModSeq;
export const asMailboxId = (s: string): MailboxId => s as MailboxId;
export const asEmailId = (s: string): EmailId => s as EmailId;
export const asAccountId = (n: number): AccountId => n as AccountId;

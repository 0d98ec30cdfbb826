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

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/**
 * A fresh object id: a one-letter kind prefix and 20 random base-36 characters, so ids are valid as
 * JMAP ids (RFC 8620 §1.2) and RFC 8474 object ids, and never guessable from one another.
 */
export function newObjectId(prefix: "M" | "E" | "T"): string {
  const bytes = randomBytes(20);
  let id = prefix;
  for (const byte of bytes) id += ID_ALPHABET[byte % ID_ALPHABET.length];
  return id;
}

export const asUid = (n: number): Uid => n as Uid;
export const asModSeq = (n: number): ModSeq => n as ModSeq;
export const asMailboxId = (s: string): MailboxId => s as MailboxId;
export const asEmailId = (s: string): EmailId => s as EmailId;
export const asAccountId = (n: number): AccountId => n as AccountId;

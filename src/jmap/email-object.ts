// The Email object (RFC 8621 §4.1) of a stored email: metadata from its mailbox entries, header
// properties from the stored MessageIndex, body properties from its part tree (email-body.ts).
import type { EmailId } from "../kit/ids.js";
import type { IndexedAddressEntry } from "../mime/message-index.js";
import type { EmailRecord, MailboxEntry } from "../store/mail-store.js";
import { receivedAtOf } from "./account-mail.js";
import { blobIdOf } from "./email-body.js";
import { keywordsOf } from "./keywords.js";
import { utcDateOf } from "./utc-date.js";

export const EMAIL_PROPERTIES = [
  "id",
  "blobId",
  "threadId",
  "mailboxIds",
  "keywords",
  "size",
  "receivedAt",
  "headers",
  "messageId",
  "inReplyTo",
  "references",
  "sender",
  "from",
  "to",
  "cc",
  "bcc",
  "replyTo",
  "subject",
  "sentAt",
  "hasAttachment",
  "preview",
  "bodyStructure",
  "bodyValues",
  "textBody",
  "htmlBody",
  "attachments",
] as const;

/** RFC 8621 §4.2: what Email/get returns when `properties` is null. */
export const DEFAULT_EMAIL_PROPERTIES = EMAIL_PROPERTIES.filter(
  (p) => p !== "headers" && p !== "bodyStructure",
);

/** RFC 8620 §1.4 UTCDate: no fraction when it is zero. */
export const utcDate = utcDateOf;

/** RFC 8621 §4.1.2.3 EmailAddress[]: group members flattened in order. */
function addresses(entries: readonly IndexedAddressEntry[]): { name: string | null; email: string }[] | null {
  if (entries.length === 0) return null;
  const list: { name: string | null; email: string }[] = [];
  for (const entry of entries) {
    if ("group" in entry)
      for (const member of entry.members) list.push({ name: member.name, email: member.address });
    else list.push({ name: entry.name, email: entry.address });
  }
  return list;
}

const idList = (ids: readonly string[]): string[] | null => (ids.length === 0 ? null : [...ids]);

/** Union of the entries' keywords: the mailboxes of one email may disagree after IMAP STOREs. */
export function keywordsOfEntries(entries: readonly MailboxEntry[]): Record<string, true> {
  const keywords: Record<string, true> = {};
  for (const entry of entries) Object.assign(keywords, keywordsOf(entry.flags));
  return keywords;
}

/** The metadata and header properties (everything but headers and the body properties). */
export function emailHeaderObject(
  email: EmailRecord,
  entries: readonly MailboxEntry[],
): Record<string, unknown> {
  const { headers } = email.index;
  const mailboxIds: Record<string, true> = {};
  for (const entry of entries) mailboxIds[entry.mailboxId] = true;
  return {
    id: email.emailId,
    blobId: blobIdOf(email.emailId as EmailId),
    threadId: email.threadId,
    mailboxIds,
    keywords: keywordsOfEntries(entries),
    size: email.size,
    receivedAt: utcDate(receivedAtOf(entries)),
    messageId: headers.messageId === null ? null : [headers.messageId],
    inReplyTo: idList(headers.inReplyTo),
    references: idList(headers.references),
    sender: addresses(headers.sender),
    from: addresses(headers.from),
    to: addresses(headers.to),
    cc: addresses(headers.cc),
    bcc: addresses(headers.bcc),
    replyTo: addresses(headers.replyTo),
    subject: headers.subject,
    sentAt: headers.sentAtMs === null ? null : utcDate(headers.sentAtMs),
    hasAttachment: email.index.hasAttachment,
    preview: email.preview,
  };
}

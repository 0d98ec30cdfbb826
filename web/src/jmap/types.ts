// The JMAP objects the webmail reads (RFC 8620, RFC 8621), with only the properties it asks for.

export interface Session {
  readonly accountId: string;
  readonly username: string;
  readonly apiUrl: string;
  readonly downloadUrl: string;
  readonly uploadUrl: string;
  readonly eventSourceUrl: string;
  readonly capabilities: Readonly<Record<string, unknown>>;
}

export type MailboxRole = "inbox" | "drafts" | "sent" | "trash" | "junk" | "archive" | string;

export interface Mailbox {
  readonly id: string;
  readonly name: string;
  readonly parentId: string | null;
  readonly role: MailboxRole | null;
  readonly sortOrder: number;
  readonly totalEmails: number;
  readonly unreadEmails: number;
}

export interface EmailAddress {
  readonly name: string | null;
  readonly email: string;
}

export interface EmailBodyPart {
  readonly partId: string | null;
  readonly blobId: string | null;
  readonly size: number;
  readonly name: string | null;
  readonly type: string;
  readonly charset: string | null;
  readonly disposition: string | null;
  readonly cid: string | null;
}

/** What a message list row shows. */
export interface ListEmail {
  readonly id: string;
  readonly threadId: string;
  readonly mailboxIds: Readonly<Record<string, boolean>>;
  readonly keywords: Readonly<Record<string, boolean>>;
  readonly from: readonly EmailAddress[] | null;
  readonly to: readonly EmailAddress[] | null;
  readonly subject: string | null;
  readonly receivedAt: string;
  readonly size: number;
  readonly preview: string;
  readonly hasAttachment: boolean;
}

export const LIST_PROPERTIES = [
  "id",
  "threadId",
  "mailboxIds",
  "keywords",
  "from",
  "to",
  "subject",
  "receivedAt",
  "size",
  "preview",
  "hasAttachment",
] as const;

/** What the reading pane shows. */
export interface FullEmail extends ListEmail {
  readonly blobId: string;
  readonly cc: readonly EmailAddress[] | null;
  readonly bcc: readonly EmailAddress[] | null;
  readonly replyTo: readonly EmailAddress[] | null;
  readonly sentAt: string | null;
  readonly messageId: readonly string[] | null;
  readonly inReplyTo: readonly string[] | null;
  readonly references: readonly string[] | null;
  readonly textBody: readonly EmailBodyPart[];
  readonly htmlBody: readonly EmailBodyPart[];
  readonly attachments: readonly EmailBodyPart[];
  readonly bodyValues: Readonly<Record<string, { value: string; isTruncated: boolean }>>;
}

export const FULL_PROPERTIES = [
  ...LIST_PROPERTIES,
  "blobId",
  "cc",
  "bcc",
  "replyTo",
  "sentAt",
  "messageId",
  "inReplyTo",
  "references",
  "textBody",
  "htmlBody",
  "attachments",
  "bodyValues",
] as const;

export const BODY_PROPERTIES = ["partId", "blobId", "size", "name", "type", "charset", "disposition", "cid"];

export type FilterCondition = Readonly<Record<string, unknown>>;

export interface SetError {
  readonly type: string;
  readonly description?: string;
}

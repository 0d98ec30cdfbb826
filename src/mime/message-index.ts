// The shape of what the MIME indexer computes once per message (at delivery or APPEND) so that IMAP,
// POP3, JMAP and search never re-parse the raw bytes. Versioned: bump MESSAGE_INDEX_VERSION whenever
// the content of any field changes, so stored indexes can be recomputed (reindex).

export const MESSAGE_INDEX_VERSION = 2;

/** A decoded address (RFC 5322 §3.4), display name with RFC 2047 encoded-words already decoded. */
export interface IndexedAddress {
  readonly name: string | null;
  /** `local@domain`; for a group start/end (RFC 5322 §3.4) see `group`. */
  readonly address: string;
}

export interface IndexedAddressGroup {
  readonly group: string;
  readonly members: readonly IndexedAddress[];
}

export type IndexedAddressEntry = IndexedAddress | IndexedAddressGroup;

/**
 * One MIME part with absolute byte offsets into the raw message, so any IMAP section
 * (RFC 9051 §6.4.5: `1.2`, `1.2.MIME`, `2.HEADER`, `TEXT`, partial ranges) is served by seeking into the blob.
 * Offsets satisfy 0 <= headerStart <= bodyStart <= bodyEnd <= message size.
 */
export interface PartNode {
  /** First byte of this part's MIME header (for the root: 0). */
  readonly headerStart: number;
  /** First byte of the body: just after the blank line that ends the header (or headerEnd if none). */
  readonly bodyStart: number;
  /** One past the last byte of the body (excludes the CRLF that precedes the next boundary). */
  readonly bodyEnd: number;
  /** Lower-case media type and subtype; defaults per RFC 2045 §5.2 (text/plain, or message/rfc822 in a digest). */
  readonly type: string;
  readonly subtype: string;
  /** Content-Type parameters with lower-case names, RFC 2231 continuations joined and decoded to UTF-8. */
  readonly params: Readonly<Record<string, string>>;
  /** Lower-case Content-Transfer-Encoding, default "7bit". */
  readonly encoding: string;
  readonly id: string | null;
  readonly description: string | null;
  /** Content-Disposition: lower-case value and its decoded parameters. */
  readonly disposition: { readonly type: string; readonly params: Readonly<Record<string, string>> } | null;
  readonly language: readonly string[] | null;
  readonly location: string | null;
  readonly md5: string | null;
  /**
   * Number of lines in the body, counted as LF bytes as Dovecot does (text/*, message/rfc822 and message/global
   * report it in BODYSTRUCTURE); 0 for other types, whose lines are never counted.
   */
  readonly lines: number;
  /** Children of a multipart/*; empty otherwise. */
  readonly children: readonly PartNode[];
  /** For message/rfc822 (and message/global): the encapsulated message's root part; null otherwise. */
  readonly message: PartNode | null;
  /** For message/rfc822 (and message/global): the IMAP ENVELOPE of the encapsulated message. */
  readonly messageEnvelope: string | null;
}

/** Header fields used for sorting, threading, search and JMAP, decoded to UTF-8. */
export interface IndexedHeaders {
  readonly subject: string;
  readonly from: readonly IndexedAddressEntry[];
  readonly sender: readonly IndexedAddressEntry[];
  readonly replyTo: readonly IndexedAddressEntry[];
  readonly to: readonly IndexedAddressEntry[];
  readonly cc: readonly IndexedAddressEntry[];
  readonly bcc: readonly IndexedAddressEntry[];
  /** The Date: header as epoch milliseconds, or null when missing or unparseable. */
  readonly sentAtMs: number | null;
  /** Message-ID without angle brackets, or null. */
  readonly messageId: string | null;
  readonly inReplyTo: readonly string[];
  readonly references: readonly string[];
}

/** One top-level header field for IMAP `HEADER` search (RFC 9051 §6.4.4): value unfolded, RFC 2047 decoded. */
export interface IndexedHeaderField {
  /** Lower-case field name. */
  readonly name: string;
  readonly value: string;
}

export interface MessageIndex {
  readonly version: number;
  /** Total octets of the raw message (RFC822.SIZE). */
  readonly size: number;
  /**
   * Octets with every bare LF counted as CRLF: what POP3 RETR sends before dot-stuffing, so STAT/LIST
   * sizes are exact (RFC 1939 §5) even for messages stored with bare LF line ends.
   */
  readonly crlfSize: number;
  /** Pre-rendered IMAP ENVELOPE (RFC 9051 §7.5.2), the parenthesized list without the `ENVELOPE ` label. */
  readonly envelope: string;
  /** Pre-rendered extended BODYSTRUCTURE (RFC 9051 §7.5.2), parenthesized, without the label. */
  readonly bodyStructure: string;
  /** Pre-rendered non-extensible BODY form, parenthesized, without the label. */
  readonly body: string;
  /** The root part (the whole message): its header is the message header. */
  readonly root: PartNode;
  readonly headers: IndexedHeaders;
  /** Every top-level header field in order (bounded like the header search text); since version 2. */
  readonly headerFields: readonly IndexedHeaderField[];
  /** Plain text for search: decoded header values and every text part's content, in UTF-8, bounded in length. */
  readonly searchText: string;
  /** Short plain-text preview (RFC 8970, JMAP `preview`): at most 256 characters, whitespace collapsed. */
  readonly preview: string;
  readonly hasAttachment: boolean;
}

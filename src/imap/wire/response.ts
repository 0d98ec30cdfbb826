// The IMAP server response union (RFC 9051 §7 and the extensions' responses: ENABLED RFC 5161, ID
// RFC 2971, ESEARCH RFC 4731, VANISHED RFC 7162, LIST-EXTENDED RFC 5258, response codes of §7.1).

import type { ModSeq } from "../../kit/ids.js";
import type { ImapDateTime } from "./argument-cursor.js";
import type { StatusItem } from "./command.js";
import type { BodySection } from "./fetch-attribute.js";
import type { SequenceSet } from "./seqset.js";

/** Response codes without arguments (RFC 9051 §7.1, RFC 5530, RFC 4315, RFC 7162, RFC 3516). */
export type SimpleResponseCode =
  | "ALERT"
  | "PARSE"
  | "READ-ONLY"
  | "READ-WRITE"
  | "TRYCREATE"
  | "UIDNOTSTICKY"
  | "NOMODSEQ"
  | "CLOSED"
  | "AUTHENTICATIONFAILED"
  | "AUTHORIZATIONFAILED"
  | "EXPIRED"
  | "PRIVACYREQUIRED"
  | "CONTACTADMIN"
  | "NOPERM"
  | "INUSE"
  | "EXPUNGEISSUED"
  | "CORRUPTION"
  | "SERVERBUG"
  | "CLIENTBUG"
  | "CANNOT"
  | "LIMIT"
  | "OVERQUOTA"
  | "ALREADYEXISTS"
  | "NONEXISTENT"
  | "UNAVAILABLE"
  | "HASCHILDREN"
  | "TOOBIG"
  | "UNKNOWN-CTE"
  | "USEATTR"
  | "NOTSAVED"
  | "COMPRESSIONACTIVE"
  | "NOTIFICATIONOVERFLOW"
  /** RFC 9586 §3: a message number was used after ENABLE UIDONLY. */
  | "UIDREQUIRED";

export type ResponseCode =
  | { readonly kind: SimpleResponseCode }
  | { readonly kind: "CAPABILITY"; readonly capabilities: readonly string[] }
  | { readonly kind: "PERMANENTFLAGS"; readonly flags: readonly string[] }
  | { readonly kind: "BADCHARSET"; readonly charsets: readonly string[] }
  | { readonly kind: "UIDNEXT" | "UIDVALIDITY" | "UNSEEN" | "APPENDLIMIT"; readonly value: number }
  | { readonly kind: "HIGHESTMODSEQ"; readonly modSeq: ModSeq }
  | { readonly kind: "MAILBOXID"; readonly id: string }
  | { readonly kind: "APPENDUID"; readonly uidValidity: number; readonly uids: SequenceSet }
  | {
      readonly kind: "COPYUID";
      readonly uidValidity: number;
      readonly sourceUids: SequenceSet;
      readonly destinationUids: SequenceSet;
    }
  | { readonly kind: "MODIFIED"; readonly set: SequenceSet }
  /** RFC 9585: progress of the command with this tag, `count` of `total` messages done. */
  | { readonly kind: "INPROGRESS"; readonly tag: string; readonly count: number; readonly total: number }
  /** RFC 4469 §6: a CATENATE URL the server cannot resolve, echoed as the client sent it. */
  | { readonly kind: "BADURL"; readonly url: string }
  /** RFC 5267 §4.2: the server does not (or no longer) keep the search with this tag up to date. */
  | { readonly kind: "NOUPDATE"; readonly tag: string }
  /** RFC 5464 §4.2.1 and §4.3: `METADATA LONGENTRIES n`, `METADATA MAXSIZE n`. */
  | { readonly kind: "METADATA LONGENTRIES" | "METADATA MAXSIZE"; readonly value: number }
  /** RFC 5464 §4.3: `METADATA TOOMANY`, `METADATA NOPRIVATE`. */
  | { readonly kind: "METADATA TOOMANY" | "METADATA NOPRIVATE" }
  /** RFC 5465 §8: the events this server supports, after a NOTIFY asked for others. */
  | { readonly kind: "BADEVENT"; readonly events: readonly string[] };

/** One `entry value` of a METADATA response (RFC 5464 §4.4.1); a null value writes NIL. */
export interface MetadataResponseEntry {
  readonly name: string;
  readonly value: Uint8Array | null;
}

/** RFC 5267 §4.3 `context-position SP sequence-set` of ADDTO/REMOVEFROM (position 0 for SEARCH). */
export interface ContextChange {
  readonly position: number;
  readonly set: SequenceSet;
}

/**
 * Bytes of a literal sent to the client: in memory, or streamed with a size known in advance (the
 * writer checks the stream yields exactly `size` bytes). `isBinary` writes literal8 `~{n}` (RFC 3516).
 */
export type LiteralContent =
  | { readonly kind: "bytes"; readonly bytes: Uint8Array; readonly isBinary?: boolean }
  | {
      readonly kind: "stream";
      readonly size: number;
      readonly chunks: AsyncIterable<Uint8Array>;
      readonly isBinary?: boolean;
    };

/** One data item of an untagged FETCH (RFC 9051 §7.5.2). */
export type FetchResponseItem =
  | { readonly kind: "FLAGS"; readonly flags: readonly string[] }
  | { readonly kind: "UID"; readonly uid: number }
  | { readonly kind: "RFC822.SIZE"; readonly size: number }
  | { readonly kind: "INTERNALDATE"; readonly date: ImapDateTime }
  | { readonly kind: "SAVEDATE"; readonly date: ImapDateTime | null }
  | { readonly kind: "MODSEQ"; readonly modSeq: ModSeq }
  | { readonly kind: "EMAILID"; readonly id: string }
  | { readonly kind: "THREADID"; readonly id: string | null }
  /** ENVELOPE, BODYSTRUCTURE and BODY come pre-rendered from the message index, written verbatim. */
  | { readonly kind: "ENVELOPE" | "BODYSTRUCTURE" | "BODY"; readonly rendered: string }
  | { readonly kind: "PREVIEW"; readonly text: string | null }
  /** `BODY[section]<origin>`: `content` null writes NIL. */
  | {
      readonly kind: "BODY[]";
      readonly section: BodySection;
      readonly origin: number | null;
      readonly content: LiteralContent | null;
    }
  /** RFC822, RFC822.HEADER, RFC822.TEXT (IMAP4rev1). */
  | { readonly kind: "RFC822" | "RFC822.HEADER" | "RFC822.TEXT"; readonly content: LiteralContent | null }
  | {
      readonly kind: "BINARY[]";
      readonly part: readonly number[];
      readonly origin: number | null;
      readonly content: LiteralContent | null;
    }
  | { readonly kind: "BINARY.SIZE"; readonly part: readonly number[]; readonly size: number };

export interface ListResponseData {
  readonly attributes: readonly string[];
  /** Hierarchy delimiter; null writes NIL (flat namespace). */
  readonly delimiter: string | null;
  readonly mailbox: string;
  /** RFC 5258 §3.5 CHILDINFO (e.g. ["SUBSCRIBED"]); RFC 9051 OLDNAME. */
  readonly childInfo?: readonly string[];
  readonly oldName?: string;
}

export interface NamespaceDescriptor {
  readonly prefix: string;
  readonly delimiter: string | null;
}

/** One resource of a QUOTA response (RFC 9208 §5.1): usage and limit in the resource's units. */
export interface QuotaResourceData {
  readonly name: string;
  readonly usage: number;
  readonly limit: number;
}

export type ImapStatus = "OK" | "NO" | "BAD";

/** One message of a THREAD response (sequence number or UID) and its replies; null: a missing parent. */
export interface ThreadMember {
  readonly id: number | null;
  readonly children: readonly ThreadMember[];
}

export type ImapResponse =
  | {
      readonly kind: "tagged";
      readonly tag: string;
      readonly status: ImapStatus;
      readonly code: ResponseCode | null;
      readonly text: string;
    }
  /** Untagged `* OK|NO|BAD|BYE|PREAUTH [code] text`. */
  | {
      readonly kind: "condition";
      readonly status: ImapStatus | "BYE" | "PREAUTH";
      readonly code: ResponseCode | null;
      readonly text: string;
    }
  /** `+ text` (or `+ base64` for AUTHENTICATE challenges). */
  | { readonly kind: "continuation"; readonly text: string }
  | { readonly kind: "capability"; readonly capabilities: readonly string[] }
  | { readonly kind: "enabled"; readonly capabilities: readonly string[] }
  | ({ readonly kind: "list" | "lsub" } & ListResponseData)
  | {
      readonly kind: "status";
      readonly mailbox: string;
      readonly items: readonly { readonly item: StatusItem; readonly value: number | string }[];
    }
  | { readonly kind: "flags"; readonly flags: readonly string[] }
  | { readonly kind: "exists" | "recent"; readonly count: number }
  | { readonly kind: "expunge"; readonly sequence: number }
  | { readonly kind: "fetch"; readonly sequence: number; readonly items: readonly FetchResponseItem[] }
  /** IMAP4rev1 SEARCH; `modSeq` is RFC 7162's `(MODSEQ n)`. */
  | { readonly kind: "search"; readonly numbers: readonly number[]; readonly modSeq: ModSeq | null }
  | {
      readonly kind: "esearch";
      /** Tag of the SEARCH this answers (`(TAG "a1")`). */
      readonly tag: string | null;
      /** RFC 7377 §2: MULTISEARCH names the mailbox of each answer (`MAILBOX "x" UIDVALIDITY n`). */
      readonly mailbox?: { readonly name: string; readonly uidValidity: number };
      readonly uid: boolean;
      readonly min?: number;
      readonly max?: number;
      readonly all?: SequenceSet;
      readonly count?: number;
      readonly modSeq?: ModSeq;
      /** RFC 9394 §3.1 `PARTIAL (range set)`; a null set writes NIL. */
      readonly partial?: { readonly range: string; readonly set: SequenceSet | null };
      /** RFC 5267 §4.3 updates of a live search, applied in the order written. */
      readonly removeFrom?: readonly ContextChange[];
      readonly addTo?: readonly ContextChange[];
    }
  /** RFC 5256 §4 `* SORT n …`, with RFC 7162's `(MODSEQ n)`. */
  | { readonly kind: "sort"; readonly numbers: readonly number[]; readonly modSeq: ModSeq | null }
  /** RFC 5256 §4 `* THREAD (…)(…)`. */
  | { readonly kind: "thread"; readonly threads: readonly ThreadMember[] }
  | {
      readonly kind: "namespace";
      readonly personal: readonly NamespaceDescriptor[] | null;
      readonly otherUsers: readonly NamespaceDescriptor[] | null;
      readonly shared: readonly NamespaceDescriptor[] | null;
    }
  | {
      readonly kind: "id";
      readonly parameters: readonly { readonly key: string; readonly value: string | null }[] | null;
    }
  | { readonly kind: "vanished"; readonly isEarlier: boolean; readonly uids: SequenceSet }
  /** RFC 9208 §5.1 `* QUOTA root (resource usage limit …)`. */
  | { readonly kind: "quota"; readonly root: string; readonly resources: readonly QuotaResourceData[] }
  /** RFC 5464 §4.4.1 `* METADATA mailbox (entry value …)`; mailbox "" is the server. */
  | {
      readonly kind: "metadata";
      readonly mailbox: string;
      readonly entries: readonly MetadataResponseEntry[];
    }
  /** RFC 5464 §4.4.2 unsolicited `* METADATA mailbox entry …`: these entries changed (RFC 5465 §5.6). */
  | { readonly kind: "metadataChanged"; readonly mailbox: string; readonly names: readonly string[] }
  /** RFC 9208 §5.2 `* QUOTAROOT mailbox root …`. */
  | { readonly kind: "quotaroot"; readonly mailbox: string; readonly roots: readonly string[] }
  /** RFC 4314 §3.6 `* ACL mailbox identifier rights …`. */
  | {
      readonly kind: "acl";
      readonly mailbox: string;
      readonly entries: readonly { readonly identifier: string; readonly rights: string }[];
    }
  /** RFC 4314 §3.7 `* LISTRIGHTS mailbox identifier required optional …`. */
  | {
      readonly kind: "listrights";
      readonly mailbox: string;
      readonly identifier: string;
      readonly required: string;
      readonly optional: readonly string[];
    }
  /** RFC 4314 §3.8 `* MYRIGHTS mailbox rights`. */
  | { readonly kind: "myrights"; readonly mailbox: string; readonly rights: string }
  /** RFC 4467 §6.1 `* GENURLAUTH url…`. */
  | { readonly kind: "genurlauth"; readonly urls: readonly string[] }
  /** RFC 4467 §6.2 `* URLFETCH url nstring…`: null content writes NIL (a URL that gives nothing). */
  | {
      readonly kind: "urlfetch";
      readonly items: readonly { readonly url: string; readonly content: LiteralContent | null }[];
    };

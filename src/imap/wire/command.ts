// The IMAP command union (RFC 9051 §6 and the extensions listed in reader.ts): one variant per command,
// discriminated by `name`, with typed arguments. Mailbox names are already decoded to Unicode.

import type { ModSeq } from "../../kit/ids.js";
import type { ImapDateTime } from "./argument-cursor.js";
import type { FetchItems } from "./fetch-attribute.js";
import type { SearchKey } from "./search-key.js";
import type { SeqNumber, SequenceSet } from "./seqset.js";

/**
 * STATUS data items (RFC 9051 §6.3.11, RFC 8438 SIZE, RFC 7162 HIGHESTMODSEQ, RFC 7889, RFC 8474,
 * RFC 9208 DELETED-STORAGE).
 */
export const STATUS_ITEMS = [
  "MESSAGES",
  "UIDNEXT",
  "UIDVALIDITY",
  "UNSEEN",
  "DELETED",
  "SIZE",
  "RECENT",
  "HIGHESTMODSEQ",
  "APPENDLIMIT",
  "MAILBOXID",
  "DELETED-STORAGE",
] as const;
export type StatusItem = (typeof STATUS_ITEMS)[number];

/**
 * RFC 4731 / RFC 5182 / RFC 5267 `RETURN (…)` options of SEARCH, in canonical order. PARTIAL (RFC 9394)
 * carries a range and is kept apart, as the command's `partial`.
 */
export const SEARCH_RETURN_OPTIONS = ["MIN", "MAX", "ALL", "COUNT", "SAVE", "CONTEXT", "UPDATE"] as const;
export type SearchReturnOption = (typeof SEARCH_RETURN_OPTIONS)[number];

/**
 * RFC 9394 §3 `partial-range`: 1-based positions in a result, both positive (`1:100`, counted from the
 * first) or both negative (`-1:-100`, counted from the last); normalized so |first| <= |last|.
 */
export interface PartialRange {
  readonly first: number;
  readonly last: number;
}

/** RFC 7377 §4 `filter-mailboxes` of ESEARCH IN (…): RFC 5465's specifiers plus `subtree-one`. */
export type SearchSource =
  | { readonly kind: "selected" | "selected-delayed" | "inboxes" | "personal" | "subscribed" }
  | { readonly kind: "subtree" | "subtree-one" | "mailboxes"; readonly mailboxes: readonly string[] };

/** RFC 5256 §3 sort keys plus RFC 5957 DISPLAYFROM/DISPLAYTO. */
export const SORT_KEY_NAMES = [
  "ARRIVAL",
  "CC",
  "DATE",
  "FROM",
  "SIZE",
  "SUBJECT",
  "TO",
  "DISPLAYFROM",
  "DISPLAYTO",
] as const;
export type SortKeyName = (typeof SORT_KEY_NAMES)[number];

/** One `[REVERSE] key` of a SORT command's criteria. */
export interface SortCriterionArgument {
  readonly key: SortKeyName;
  readonly isReverse: boolean;
}

/** RFC 5267 ESORT `RETURN (…)` options of SORT (with RFC 5182 SAVE), in canonical order. */
export const SORT_RETURN_OPTIONS = ["MIN", "MAX", "ALL", "COUNT", "SAVE", "CONTEXT", "UPDATE"] as const;
export type SortReturnOption = (typeof SORT_RETURN_OPTIONS)[number];

/** RFC 5256 §3 THREAD algorithms this server implements. */
export const THREAD_ALGORITHM_NAMES = ["ORDEREDSUBJECT", "REFERENCES"] as const;
export type ThreadAlgorithmName = (typeof THREAD_ALGORITHM_NAMES)[number];

/** RFC 5258 §3.1 selection options (plus RFC 6154 SPECIAL-USE). */
export interface ListSelection {
  readonly subscribed: boolean;
  readonly remote: boolean;
  readonly recursiveMatch: boolean;
  readonly specialUse: boolean;
}

/** RFC 5464 §4.2.2 DEPTH: the entry only, its children too, or everything below it. */
export type MetadataDepthOption = 0 | 1 | "infinity";

/** RFC 5464 §4.2 GETMETADATA options (also RFC 9590 LIST RETURN (METADATA …)). */
export interface MetadataOptions {
  /** MAXSIZE: longer values are left out (and reported by LONGENTRIES); null when not given. */
  readonly maxSize: number | null;
  readonly depth: MetadataDepthOption;
}

/** RFC 9590 `METADATA [options] entries` of LIST's RETURN: entry names as sent (the handler checks them). */
export interface ListMetadataReturn {
  readonly entries: readonly string[];
  readonly options: MetadataOptions;
}

/** One `entry value` of SETMETADATA (RFC 5464 §4.3): value bytes, or null (NIL) to remove the entry. */
export interface MetadataEntryArgument {
  readonly entry: string;
  readonly value: Uint8Array | null;
}

/** RFC 5258 §3.2 return options (plus RFC 6154 SPECIAL-USE, RFC 5819 STATUS, RFC 9590 METADATA). */
export interface ListReturn {
  readonly subscribed: boolean;
  readonly children: boolean;
  readonly specialUse: boolean;
  /** STATUS (items) of RFC 5819 LIST-STATUS; null when not asked. */
  readonly status: readonly StatusItem[] | null;
  /** METADATA of RFC 9590 LIST-METADATA; null when not asked. */
  readonly metadata: ListMetadataReturn | null;
}

/** RFC 7162 §3.2.5 `QRESYNC (uidvalidity modseq [known-uids [(seq-match)]])`. */
export interface QresyncParameters {
  readonly uidValidity: number;
  readonly modSeq: ModSeq;
  readonly knownUids: SequenceSet | null;
  readonly sequenceMatch: { readonly sequences: SequenceSet; readonly uids: SequenceSet } | null;
}

/** One message of APPEND (RFC 9051 §6.3.12, RFC 3502 MULTIAPPEND, RFC 3516 literal8, RFC 6855 UTF8). */
export interface AppendMessage {
  readonly flags: readonly string[];
  readonly internalDate: ImapDateTime | null;
  /** Sent as `UTF8 (~{n})` (RFC 6855 §4). */
  readonly isUtf8: boolean;
  /** Sent as literal8 `~{n}` (RFC 3516). */
  readonly isBinary: boolean;
  /** Byte count of the message; its bytes were delivered as `literalChunk` events, never in the command. */
  readonly size: number;
  /**
   * Present when the message is built with CATENATE (RFC 4469 §5): its parts in order. `size` is then the
   * sum of the TEXT parts, whose bytes were streamed as `literalChunk` events like a message literal.
   */
  readonly catenate?: readonly CatenatePart[];
}

/** One `cat-part` of CATENATE (RFC 4469 §5): a TEXT literal streamed by the reader, or an IMAP URL. */
export type CatenatePart =
  | { readonly kind: "text"; readonly size: number; readonly isBinary: boolean }
  | { readonly kind: "url"; readonly url: string };

export type StoreAction = "replace" | "add" | "remove";

/** SELECT and EXAMINE (RFC 9051 §6.3.2, RFC 7162 §3.1.8 CONDSTORE, §3.2.5 QRESYNC). */
export interface SelectArguments {
  readonly mailbox: string;
  readonly condstore: boolean;
  readonly qresync: QresyncParameters | null;
}

/** One `resource-name SP resource-limit` of SETQUOTA (RFC 9208 §4.1.3); the name upper-cased. */
export interface QuotaLimitArgument {
  readonly resource: string;
  readonly limit: number;
}

/** COPY and MOVE (RFC 9051 §6.4.7, RFC 6851), with or without UID. */
export interface TransferArguments {
  readonly uid: boolean;
  readonly set: SequenceSet;
  readonly mailbox: string;
}

/** REPLACE and UID REPLACE (RFC 8508): the message to replace, by number or UID, and its successor. */
export interface ReplaceArguments {
  readonly uid: boolean;
  /** A message sequence number, or a UID with `uid`; `*` is the last message. */
  readonly target: SeqNumber;
  readonly mailbox: string;
  readonly message: AppendMessage;
}

/** RFC 5465 §8 mailbox specifiers (filter-mailboxes); `selected` and `selected-delayed` name the selected mailbox. */
export type NotifyFilter =
  | { readonly kind: "selected" | "selected-delayed" | "inboxes" | "personal" | "subscribed" }
  | { readonly kind: "subtree" | "mailboxes"; readonly mailboxes: readonly string[] };

/**
 * One event of a NOTIFY event group (RFC 5465 §5): the known names spelled as the RFC does, any other
 * atom (event-ext) upper-cased; `fetch` is MessageNew's fetch attributes, null when none were given.
 */
export interface NotifyEventArgument {
  readonly name: string;
  readonly fetch: FetchItems | null;
}

/** `(filter-mailboxes events)`; `events` is null for `NONE`. */
export interface NotifyEventGroup {
  readonly filter: NotifyFilter;
  readonly events: readonly NotifyEventArgument[] | null;
}

/** `NOTIFY SET [STATUS] event-groups` (RFC 5465 §3.1). */
export interface NotifySetArguments {
  readonly isStatus: boolean;
  readonly groups: readonly NotifyEventGroup[];
}

interface Tagged {
  readonly tag: string;
}

export type ImapCommand = Tagged &
  (
    | { readonly name: "capability" }
    | { readonly name: "noop" }
    | { readonly name: "logout" }
    | { readonly name: "starttls" }
    /** `initialResponse`: the SASL-IR base64 text as sent (`=` = empty), null when absent. */
    | { readonly name: "authenticate"; readonly mechanism: string; readonly initialResponse: string | null }
    | { readonly name: "login"; readonly username: string; readonly password: string }
    /** RFC 5161; capability names upper-cased. */
    | { readonly name: "enable"; readonly capabilities: readonly string[] }
    /** RFC 2971; null for `ID NIL`. */
    | {
        readonly name: "id";
        readonly parameters: readonly { readonly key: string; readonly value: string | null }[] | null;
      }
    | ({ readonly name: "select" } & SelectArguments)
    | ({ readonly name: "examine" } & SelectArguments)
    /** RFC 6154 §3 `USE (\Drafts)`: `specialUse` lists the attributes. */
    | { readonly name: "create"; readonly mailbox: string; readonly specialUse: readonly string[] }
    | { readonly name: "delete"; readonly mailbox: string }
    | { readonly name: "rename"; readonly from: string; readonly to: string }
    | { readonly name: "subscribe"; readonly mailbox: string }
    | { readonly name: "unsubscribe"; readonly mailbox: string }
    | {
        readonly name: "list";
        readonly reference: string;
        readonly patterns: readonly string[];
        readonly selection: ListSelection;
        readonly returns: ListReturn;
      }
    | { readonly name: "lsub"; readonly reference: string; readonly pattern: string }
    | { readonly name: "namespace" }
    | { readonly name: "status"; readonly mailbox: string; readonly items: readonly StatusItem[] }
    | { readonly name: "append"; readonly mailbox: string; readonly messages: readonly AppendMessage[] }
    | ({ readonly name: "replace" } & ReplaceArguments)
    | { readonly name: "idle" }
    /** RFC 5465; `set` null for `NOTIFY NONE`. */
    | { readonly name: "notify"; readonly set: NotifySetArguments | null }
    /** RFC 4978; the algorithm upper-cased. */
    | { readonly name: "compress"; readonly mechanism: string }
    /** RFC 9208 §4.1: quota roots are names of their own, not mailbox names. */
    | { readonly name: "getquota"; readonly root: string }
    | { readonly name: "getquotaroot"; readonly mailbox: string }
    | { readonly name: "setquota"; readonly root: string; readonly limits: readonly QuotaLimitArgument[] }
    /** RFC 5464 §4.2; mailbox "" means the server. Entry names as sent: the handler checks them. */
    | {
        readonly name: "getmetadata";
        readonly mailbox: string;
        readonly options: MetadataOptions;
        readonly entries: readonly string[];
      }
    /** RFC 5464 §4.3; mailbox "" means the server. */
    | {
        readonly name: "setmetadata";
        readonly mailbox: string;
        readonly entries: readonly MetadataEntryArgument[];
      }
    /** RFC 4314 §3: identifiers and rights as the client sent them (checked by the handlers). */
    | {
        readonly name: "setacl";
        readonly mailbox: string;
        readonly identifier: string;
        readonly rights: string;
      }
    | { readonly name: "deleteacl"; readonly mailbox: string; readonly identifier: string }
    | { readonly name: "getacl"; readonly mailbox: string }
    | { readonly name: "listrights"; readonly mailbox: string; readonly identifier: string }
    | { readonly name: "myrights"; readonly mailbox: string }
    /** RFC 4467 §6: pairs of rump URL and mechanism (upper-cased), as sent. */
    | {
        readonly name: "genurlauth";
        readonly urls: readonly { readonly rump: string; readonly mechanism: string }[];
      }
    | { readonly name: "urlfetch"; readonly urls: readonly string[] }
    /** RFC 4467 §6.3: no mailbox resets every key of the user. */
    | { readonly name: "resetkey"; readonly mailbox: string | null; readonly mechanisms: readonly string[] }
    | { readonly name: "check" }
    | { readonly name: "close" }
    | { readonly name: "unselect" }
    /** RFC 8437. */
    | { readonly name: "unauthenticate" }
    /** `uid: true` is UIDPLUS `UID EXPUNGE set`. */
    | ({ readonly name: "expunge" } & (
        | { readonly uid: false }
        | { readonly uid: true; readonly set: SequenceSet }
      ))
    | {
        readonly name: "search";
        readonly uid: boolean;
        readonly charset: string | null;
        /** RFC 4731 RETURN options; null without RETURN, [] for `RETURN ()` (= ALL). */
        readonly returns: readonly SearchReturnOption[] | null;
        /** RFC 9394 `RETURN (PARTIAL range)`; null when not asked (always null without RETURN). */
        readonly partial: PartialRange | null;
        /** All must match. Text values decoded as UTF-8 (the session rejects other charsets). */
        readonly criteria: readonly SearchKey[];
      }
    /** RFC 5256 §3 SORT with RFC 5267 ESORT RETURN options; the search part is as SEARCH's. */
    | {
        readonly name: "sort";
        readonly uid: boolean;
        /** RFC 5267 RETURN options; null without RETURN, [] for `RETURN ()` (= ALL). */
        readonly returns: readonly SortReturnOption[] | null;
        /** RFC 9394 `RETURN (PARTIAL range)`; null when not asked. */
        readonly partial: PartialRange | null;
        readonly sortCriteria: readonly SortCriterionArgument[];
        /** Upper-cased; SORT requires one (RFC 5256 §5). */
        readonly charset: string;
        readonly criteria: readonly SearchKey[];
      }
    /** RFC 5256 §3 THREAD. */
    | {
        readonly name: "thread";
        readonly uid: boolean;
        readonly algorithm: ThreadAlgorithmName;
        readonly charset: string;
        readonly criteria: readonly SearchKey[];
      }
    | {
        readonly name: "fetch";
        readonly uid: boolean;
        readonly set: SequenceSet;
        readonly items: FetchItems;
        /** RFC 7162 CHANGEDSINCE modifier. */
        readonly changedSince: ModSeq | null;
        /** RFC 7162 §3.2.6 VANISHED modifier (UID FETCH only). */
        readonly vanished: boolean;
        /** RFC 9394 §3.2 PARTIAL modifier: only this window of the (UID-ordered) messages. */
        readonly partial: PartialRange | null;
      }
    | {
        readonly name: "store";
        readonly uid: boolean;
        readonly set: SequenceSet;
        readonly unchangedSince: ModSeq | null;
        readonly action: StoreAction;
        readonly silent: boolean;
        readonly flags: readonly string[];
      }
    /** RFC 7377 MULTISEARCH: SEARCH over the mailboxes `sources` names (null: the selected one). */
    | {
        readonly name: "esearch";
        readonly sources: readonly SearchSource[] | null;
        readonly returns: readonly SearchReturnOption[] | null;
        readonly partial: PartialRange | null;
        readonly charset: string | null;
        readonly criteria: readonly SearchKey[];
      }
    /** RFC 5267 §4.2: the tags of the live searches to stop updating. */
    | { readonly name: "cancelupdate"; readonly tags: readonly string[] }
    | ({ readonly name: "copy" } & TransferArguments)
    | ({ readonly name: "move" } & TransferArguments)
  );

export type ImapCommandName = ImapCommand["name"];

/** The variant of `ImapCommand` with the given name. */
export type CommandOf<N extends ImapCommandName> = Extract<ImapCommand, { readonly name: N }>;

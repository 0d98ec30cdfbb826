// Translates IMAP search keys (RFC 9051 §6.4.4; NEW/OLD/RECENT of RFC 3501 §6.4.4, OLDER/YOUNGER of
// RFC 5032, SAVED* of RFC 8514, MODSEQ of RFC 7162 §3.1.5, EMAILID/THREADID of RFC 8474) into the mail
// layer's SearchQuery. Sequence numbers, `$` and \Recent are IMAP notions: they become UID leaves here.
import type { EmailId, ModSeq, ThreadId, Uid } from "../../kit/ids.js";
import {
  type SearchDateField,
  type SearchQuery,
  uidRanges,
  utcDayRange,
} from "../../mail/search/search-query.js";
import type { MailboxEntry, SystemFlag } from "../../store/mail-store.js";
import type { SearchFlagKeyName, SearchKey } from "../wire/search-key.js";
import type { SequenceSet } from "../wire/seqset.js";

/** What the translation needs from the selected mailbox. */
export interface SearchScope {
  /** The snapshot's entries in position order. */
  readonly entries: readonly MailboxEntry[];
  /** As SelectedMailbox.resolve: the entries a set names (sequence numbers, UIDs or `$`). */
  resolve(set: SequenceSet, isUid: boolean): readonly MailboxEntry[];
  /** \Recent for this session (always false in IMAP4rev2). */
  isRecent(uid: Uid): boolean;
  /** "Now" for OLDER/YOUNGER. */
  readonly nowMs: number;
}

const ALL: SearchQuery = { kind: "all" };
const not = (query: SearchQuery): SearchQuery => ({ kind: "not", query });
const flag = (name: SystemFlag): SearchQuery => ({ kind: "flag", flag: name });

/** The query for a SEARCH command's criteria (all must match). */
export function toSearchQuery(keys: readonly SearchKey[], scope: SearchScope): SearchQuery {
  if (keys.length === 1) return toQuery(keys[0] as SearchKey, scope);
  return { kind: "and", queries: keys.map((key) => toQuery(key, scope)) };
}

/** Whether any key is MODSEQ (RFC 7162 §3.1.5: the response then carries the highest mod-sequence). */
export function hasModSeqKey(keys: readonly SearchKey[]): boolean {
  return keys.some(function visit(key: SearchKey): boolean {
    if (key.kind === "modSeq") return true;
    if (key.kind === "not") return visit(key.key);
    if (key.kind === "or") return visit(key.left) || visit(key.right);
    if (key.kind === "and") return key.keys.some(visit);
    return false;
  });
}

function toQuery(key: SearchKey, scope: SearchScope): SearchQuery {
  switch (key.kind) {
    case "flag":
      return flagQuery(key.name, scope);
    case "text":
      return { kind: "text", field: textField(key.name), value: key.value };
    case "header":
      return { kind: "header", name: key.field, value: key.value };
    case "keyword": {
      const query: SearchQuery = { kind: "keyword", keyword: key.keyword };
      return key.isSet ? query : not(query);
    }
    case "date": {
      const { startMs, endMs } = utcDayRange(key.date.year, key.date.month, key.date.day);
      const field: SearchDateField = key.name.startsWith("SENT")
        ? "sent"
        : key.name.startsWith("SAVED")
          ? "saved"
          : "internal";
      if (key.name.endsWith("BEFORE")) return { kind: "date", field, sinceMs: null, beforeMs: startMs };
      if (key.name.endsWith("SINCE")) return { kind: "date", field, sinceMs: startMs, beforeMs: null };
      return { kind: "date", field, sinceMs: startMs, beforeMs: endMs };
    }
    case "size":
      return { kind: "size", isLarger: key.isLarger, bytes: key.bytes };
    case "age": {
      // RFC 5032: OLDER n = more than n seconds old; YOUNGER n = at most n seconds old.
      const edgeMs = scope.nowMs - key.seconds * 1000;
      return key.isOlder
        ? { kind: "date", field: "internal", sinceMs: null, beforeMs: edgeMs }
        : { kind: "date", field: "internal", sinceMs: edgeMs, beforeMs: null };
    }
    case "sequenceSet":
      return uidsOf(scope, key.set, false);
    case "uid":
      return uidsOf(scope, key.set, true);
    case "modSeq":
      return { kind: "modSeq", atLeast: key.modSeq as ModSeq };
    case "emailId":
      return { kind: "emailId", id: key.id as EmailId };
    case "threadId":
      return { kind: "threadId", id: key.id as ThreadId };
    case "not":
      return not(toQuery(key.key, scope));
    case "or":
      return { kind: "or", queries: [toQuery(key.left, scope), toQuery(key.right, scope)] };
    case "and":
      return toSearchQuery(key.keys, scope);
  }
}

function flagQuery(name: SearchFlagKeyName, scope: SearchScope): SearchQuery {
  switch (name) {
    case "ALL":
    case "SAVEDATESUPPORTED": // every entry has a save date (RFC 8514 §4.3)
      return ALL;
    case "ANSWERED":
      return flag("\\Answered");
    case "DELETED":
      return flag("\\Deleted");
    case "DRAFT":
      return flag("\\Draft");
    case "FLAGGED":
      return flag("\\Flagged");
    case "SEEN":
      return flag("\\Seen");
    case "UNANSWERED":
      return not(flag("\\Answered"));
    case "UNDELETED":
      return not(flag("\\Deleted"));
    case "UNDRAFT":
      return not(flag("\\Draft"));
    case "UNFLAGGED":
      return not(flag("\\Flagged"));
    case "UNSEEN":
      return not(flag("\\Seen"));
    case "RECENT":
      return recentQuery(scope);
    case "NEW":
      return { kind: "and", queries: [recentQuery(scope), not(flag("\\Seen"))] };
    case "OLD":
      return not(recentQuery(scope));
  }
}

function recentQuery(scope: SearchScope): SearchQuery {
  const uids = scope.entries.filter((entry) => scope.isRecent(entry.uid)).map((entry) => entry.uid);
  return { kind: "uids", ranges: uidRanges(uids) };
}

function uidsOf(scope: SearchScope, set: SequenceSet, isUid: boolean): SearchQuery {
  // `*` in an empty mailbox names nothing rather than an invalid number (as Dovecot answers).
  if (scope.entries.length === 0) return { kind: "uids", ranges: [] };
  return { kind: "uids", ranges: uidRanges(scope.resolve(set, isUid).map((entry) => entry.uid)) };
}

function textField(name: "BCC" | "BODY" | "CC" | "FROM" | "SUBJECT" | "TEXT" | "TO") {
  return name.toLowerCase() as "bcc" | "body" | "cc" | "from" | "subject" | "text" | "to";
}

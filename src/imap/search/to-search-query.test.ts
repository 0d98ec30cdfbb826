// Tests the IMAP search key → SearchQuery translation: every key kind, \Recent-based NEW/OLD, sequence
// numbers and `$` resolved to UIDs through the scope, dates as UTC days, OLDER/YOUNGER against "now".
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EmailId, ModSeq, ThreadId, Uid } from "../../kit/ids.js";
import type { SearchQuery } from "../../mail/search/search-query.js";
import type { MailboxEntry } from "../../store/mail-store.js";
import type { SearchKey } from "../wire/search-key.js";
import type { SequenceSet } from "../wire/seqset.js";
import { hasModSeqKey, type SearchScope, toSearchQuery } from "./to-search-query.js";

const entry = (uid: number): MailboxEntry => ({ uid: uid as Uid }) as MailboxEntry;
const ENTRIES = [entry(3), entry(5), entry(6), entry(9)];
const NOW = Date.UTC(2025, 5, 1, 12);

function scopeWith(
  entries = ENTRIES,
  recent: readonly number[] = [6, 9],
  saved: readonly number[] = [5],
): SearchScope {
  return {
    entries,
    nowMs: NOW,
    isRecent: (uid) => recent.includes(uid),
    resolve(set: SequenceSet, isUid: boolean) {
      if (set.kind === "saved") return entries.filter((e) => saved.includes(e.uid));
      const r = set.ranges[0];
      if (!r) return [];
      const to = (n: number | "*") => (n === "*" ? (isUid ? 9 : entries.length) : n);
      return isUid
        ? entries.filter((e) => e.uid >= to(r.from) && e.uid <= to(r.to))
        : entries.slice(to(r.from) - 1, to(r.to));
    },
  };
}

const q = (key: SearchKey, scope = scopeWith()): SearchQuery => toSearchQuery([key], scope);
const flagKey = (name: Extract<SearchKey, { kind: "flag" }>["name"]): SearchKey => ({ kind: "flag", name });
const uids = (...pairs: [number, number][]): SearchQuery => ({
  kind: "uids",
  ranges: pairs.map(([from, to]) => ({ from: from as Uid, to: to as Uid })),
});
const not = (query: SearchQuery): SearchQuery => ({ kind: "not", query });

describe("toSearchQuery", () => {
  it("maps flag keys and their UN- forms", () => {
    assert.deepEqual(q(flagKey("ALL")), { kind: "all" });
    assert.deepEqual(q(flagKey("SAVEDATESUPPORTED")), { kind: "all" });
    for (const [name, flag] of [
      ["ANSWERED", "\\Answered"],
      ["DELETED", "\\Deleted"],
      ["DRAFT", "\\Draft"],
      ["FLAGGED", "\\Flagged"],
      ["SEEN", "\\Seen"],
    ] as const) {
      assert.deepEqual(q(flagKey(name)), { kind: "flag", flag });
      assert.deepEqual(q(flagKey(`UN${name}` as "UNSEEN")), not({ kind: "flag", flag }));
    }
  });

  it("maps RECENT, NEW and OLD through the session's \\Recent set", () => {
    assert.deepEqual(q(flagKey("RECENT")), uids([6, 6], [9, 9]));
    assert.deepEqual(q(flagKey("NEW")), {
      kind: "and",
      queries: [uids([6, 6], [9, 9]), not({ kind: "flag", flag: "\\Seen" })],
    });
    assert.deepEqual(q(flagKey("OLD")), not(uids([6, 6], [9, 9])));
    assert.deepEqual(q(flagKey("RECENT"), scopeWith(ENTRIES, [])), uids(), "IMAP4rev2: nothing is recent");
  });

  it("maps text, header and keyword keys", () => {
    for (const name of ["BCC", "BODY", "CC", "FROM", "SUBJECT", "TEXT", "TO"] as const) {
      assert.deepEqual(q({ kind: "text", name, value: "Ü" }), {
        kind: "text",
        field: name.toLowerCase(),
        value: "Ü",
      });
    }
    assert.deepEqual(q({ kind: "header", field: "X-Spam", value: "yes" }), {
      kind: "header",
      name: "X-Spam",
      value: "yes",
    });
    assert.deepEqual(q({ kind: "keyword", isSet: true, keyword: "$Junk" }), {
      kind: "keyword",
      keyword: "$Junk",
    });
    assert.deepEqual(
      q({ kind: "keyword", isSet: false, keyword: "$Junk" }),
      not({ kind: "keyword", keyword: "$Junk" }),
    );
  });

  it("turns dates into UTC day ranges for internal, sent and saved dates", () => {
    const date = { year: 2024, month: 2, day: 29 };
    const start = Date.UTC(2024, 1, 29);
    const end = Date.UTC(2024, 2, 1);
    for (const [prefix, field] of [
      ["", "internal"],
      ["SENT", "sent"],
      ["SAVED", "saved"],
    ] as const) {
      const key = (suffix: string): SearchKey => ({ kind: "date", name: `${prefix}${suffix}` as "ON", date });
      assert.deepEqual(q(key("BEFORE")), { kind: "date", field, sinceMs: null, beforeMs: start });
      assert.deepEqual(q(key("ON")), { kind: "date", field, sinceMs: start, beforeMs: end });
      assert.deepEqual(q(key("SINCE")), { kind: "date", field, sinceMs: start, beforeMs: null });
    }
  });

  it("maps OLDER and YOUNGER (RFC 5032) against now", () => {
    assert.deepEqual(q({ kind: "age", isOlder: true, seconds: 60 }), {
      kind: "date",
      field: "internal",
      sinceMs: null,
      beforeMs: NOW - 60_000,
    });
    assert.deepEqual(q({ kind: "age", isOlder: false, seconds: 60 }), {
      kind: "date",
      field: "internal",
      sinceMs: NOW - 60_000,
      beforeMs: null,
    });
  });

  it("resolves sequence sets, UID sets and $ to UID ranges", () => {
    const ranges = (from: number | "*", to: number | "*"): SequenceSet => ({
      kind: "ranges",
      ranges: [{ from, to }],
    });
    assert.deepEqual(q({ kind: "sequenceSet", set: ranges(2, "*") }), uids([5, 6], [9, 9]));
    assert.deepEqual(q({ kind: "uid", set: ranges(4, 7) }), uids([5, 6]));
    assert.deepEqual(q({ kind: "sequenceSet", set: { kind: "saved" } }), uids([5, 5]));
    assert.deepEqual(q({ kind: "uid", set: { kind: "saved" } }), uids([5, 5]));
    assert.deepEqual(q({ kind: "sequenceSet", set: ranges(1, "*") }, scopeWith([])), uids(), "empty mailbox");
  });

  it("maps sizes, MODSEQ, EMAILID, THREADID and nesting", () => {
    assert.deepEqual(q({ kind: "size", isLarger: true, bytes: 10 }), {
      kind: "size",
      isLarger: true,
      bytes: 10,
    });
    const modSeq: SearchKey = { kind: "modSeq", modSeq: 7, entry: null };
    assert.deepEqual(q(modSeq), { kind: "modSeq", atLeast: 7 as ModSeq });
    assert.deepEqual(q({ kind: "emailId", id: "Eabc" }), { kind: "emailId", id: "Eabc" as EmailId });
    assert.deepEqual(q({ kind: "threadId", id: "Tabc" }), { kind: "threadId", id: "Tabc" as ThreadId });
    const nested: SearchKey = {
      kind: "or",
      left: { kind: "not", key: flagKey("SEEN") },
      right: { kind: "and", keys: [flagKey("DRAFT"), modSeq] },
    };
    assert.deepEqual(q(nested), {
      kind: "or",
      queries: [
        not({ kind: "flag", flag: "\\Seen" }),
        {
          kind: "and",
          queries: [
            { kind: "flag", flag: "\\Draft" },
            { kind: "modSeq", atLeast: 7 as ModSeq },
          ],
        },
      ],
    });
    assert.deepEqual(toSearchQuery([flagKey("SEEN"), flagKey("DRAFT")], scopeWith()), {
      kind: "and",
      queries: [
        { kind: "flag", flag: "\\Seen" },
        { kind: "flag", flag: "\\Draft" },
      ],
    });
    assert.equal(hasModSeqKey([nested]), true);
    assert.equal(hasModSeqKey([flagKey("ALL"), { kind: "not", key: flagKey("SEEN") }]), false);
  });
});

// Tests the SEARCH reply: IMAP4rev1 `* SEARCH`, ESEARCH options (RFC 4731), IMAP4rev2's default ALL,
// and what SAVE keeps as `$` (RFC 5182 §2.4: MIN/MAX alone save just those).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ModSeq, Uid } from "../../kit/ids.js";
import type { SearchReturnOption } from "../wire/command.js";
import { buildSearchReply, compactSet, type SearchReplyInput } from "./search-reply.js";

const hits = [
  { uid: 10 as Uid, position: 1 },
  { uid: 11 as Uid, position: 2 },
  { uid: 12 as Uid, position: 3 },
  { uid: 20 as Uid, position: 7 },
];
const input = (
  returns: readonly SearchReturnOption[] | null,
  over: Partial<SearchReplyInput> = {},
): SearchReplyInput => ({
  tag: "a1",
  isUid: false,
  returns,
  partial: null,
  isRev2: false,
  hits,
  modSeq: null,
  ...over,
});

describe("buildSearchReply", () => {
  it("answers a plain SEARCH with * SEARCH (positions, or UIDs for UID SEARCH)", () => {
    assert.deepEqual(buildSearchReply(input(null)), {
      responses: [{ kind: "search", numbers: [1, 2, 3, 7], modSeq: null }],
      saved: null,
    });
    const uid = buildSearchReply(input(null, { isUid: true, modSeq: 5 as ModSeq }));
    assert.deepEqual(uid.responses, [{ kind: "search", numbers: [10, 11, 12, 20], modSeq: 5 }]);
    const none = buildSearchReply(input(null, { hits: [], modSeq: 5 as ModSeq }));
    assert.deepEqual(none.responses, [{ kind: "search", numbers: [], modSeq: null }]);
  });

  it("answers RETURN () and an IMAP4rev2 plain SEARCH with ESEARCH ALL", () => {
    const all = { kind: "esearch", tag: "a1", uid: false, all: compactSet([1, 2, 3, 7]) };
    assert.deepEqual(buildSearchReply(input([])).responses, [all]);
    assert.deepEqual(buildSearchReply(input(null, { isRev2: true })).responses, [all]);
    assert.deepEqual(buildSearchReply(input(null, { isRev2: true, hits: [] })).responses, [
      { kind: "esearch", tag: "a1", uid: false },
    ]);
  });

  it("gives MIN, MAX, COUNT and ALL as asked, and only COUNT for no hits", () => {
    const reply = buildSearchReply(
      input(["MIN", "MAX", "COUNT", "ALL"], { isUid: true, modSeq: 9 as ModSeq }),
    );
    assert.deepEqual(reply.responses, [
      {
        kind: "esearch",
        tag: "a1",
        uid: true,
        min: 10,
        max: 20,
        all: compactSet([10, 11, 12, 20]),
        count: 4,
        modSeq: 9,
      },
    ]);
    assert.equal(reply.saved, null);
    assert.deepEqual(buildSearchReply(input(["MIN", "MAX", "COUNT"], { hits: [] })).responses, [
      { kind: "esearch", tag: "a1", uid: false, count: 0 },
    ]);
  });

  it("saves without answering for SAVE alone, and saves only MIN/MAX when those are all that is asked", () => {
    assert.deepEqual(buildSearchReply(input(["SAVE"])), { responses: [], saved: [10, 11, 12, 20] });
    const min = buildSearchReply(input(["SAVE", "MIN"]));
    assert.deepEqual(min.saved, [10]);
    assert.deepEqual(min.responses, [{ kind: "esearch", tag: "a1", uid: false, min: 1 }]);
    assert.deepEqual(buildSearchReply(input(["SAVE", "MIN", "MAX"])).saved, [10, 20]);
    assert.deepEqual(buildSearchReply(input(["SAVE", "MIN", "COUNT"])).saved, [10, 11, 12, 20]);
    assert.deepEqual(buildSearchReply(input(["SAVE", "MIN"], { hits: [] })).saved, []);
    assert.deepEqual(buildSearchReply(input(["SAVE"], { isRev2: true })).responses, []);
  });

  it("compacts ascending numbers into ranges", () => {
    assert.deepEqual(compactSet([1, 2, 3, 5, 7, 8]), {
      kind: "ranges",
      ranges: [
        { from: 1, to: 3 },
        { from: 5, to: 5 },
        { from: 7, to: 8 },
      ],
    });
  });

  it("answers PARTIAL with the window of the hits, MIN/MAX/COUNT over all of them (RFC 9394 §3.1)", () => {
    const reply = buildSearchReply(
      input(["MIN", "COUNT"], { isUid: true, partial: { first: -1, last: -2 } }),
    );
    assert.deepEqual(reply.responses, [
      {
        kind: "esearch",
        tag: "a1",
        uid: true,
        min: 10,
        count: 4,
        partial: { range: "-1:-2", set: compactSet([12, 20]) },
      },
    ]);
    const empty = buildSearchReply(input([], { partial: { first: 5, last: 9 } }));
    assert.deepEqual(empty.responses, [
      { kind: "esearch", tag: "a1", uid: false, partial: { range: "5:9", set: null } },
    ]);
  });

  it("saves only the PARTIAL window as $ (RFC 9394 §3.1)", () => {
    const reply = buildSearchReply(input(["SAVE"], { partial: { first: 2, last: 3 } }));
    assert.deepEqual(reply.saved, [11, 12]);
    assert.equal(reply.responses.length, 1);
  });

  it("answers RETURN (UPDATE) alone with ALL", () => {
    const reply = buildSearchReply(input(["UPDATE"], { isUid: true }));
    assert.deepEqual(reply.responses, [
      { kind: "esearch", tag: "a1", uid: true, all: compactSet([10, 11, 12, 20]) },
    ]);
  });
});

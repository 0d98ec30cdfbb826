// SORT and THREAD grammar (RFC 5256 §5, RFC 5267 ESORT RETURN) at every split point of the input, and the
// `* SORT` / `* THREAD` responses as the writer renders them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ModSeq } from "../../../kit/ids.js";
import { bytesOf, collectEvents, splits } from "../reader-test-support.js";
import type { ImapResponse } from "../response.js";
import { encodeResponse } from "../writer.js";

function assertParses(input: string, expected: object): void {
  for (const pieces of splits(bytesOf(input))) {
    assert.deepEqual(
      collectEvents(pieces).filter((event) => event.kind !== "needLiteral"),
      [{ kind: "command", command: expected }],
      `split into ${pieces.map((p) => p.length).join("+")}`,
    );
  }
}

function assertRejected(input: string): void {
  for (const pieces of splits(bytesOf(input))) {
    const events = collectEvents(pieces);
    assert.equal(events.length, 1);
    assert.equal(events[0]?.kind, "syntaxError", input);
  }
}

describe("SORT grammar", () => {
  it("reads criteria with REVERSE, the charset and search keys", () => {
    assertParses("s SORT (REVERSE date subject DISPLAYFROM) utf-8 UNSEEN\r\n", {
      tag: "s",
      name: "sort",
      uid: false,
      returns: null,
      partial: null,
      sortCriteria: [
        { key: "DATE", isReverse: true },
        { key: "SUBJECT", isReverse: false },
        { key: "DISPLAYFROM", isReverse: false },
      ],
      charset: "UTF-8",
      criteria: [{ kind: "flag", name: "UNSEEN" }],
    });
  });

  it("reads UID SORT with ESORT RETURN options and a literal", () => {
    assertParses('u UID SORT RETURN (COUNT MIN) (ARRIVAL) "US-ASCII" SUBJECT {3+}\r\nabc ALL\r\n', {
      tag: "u",
      name: "sort",
      uid: true,
      returns: ["MIN", "COUNT"],
      partial: null,
      sortCriteria: [{ key: "ARRIVAL", isReverse: false }],
      charset: "US-ASCII",
      criteria: [
        { kind: "text", name: "SUBJECT", value: "abc" },
        { kind: "flag", name: "ALL" },
      ],
    });
  });

  it("reads RETURN (SAVE PARTIAL …) (RFC 5182, RFC 9394)", () => {
    assertParses("u UID SORT RETURN (PARTIAL -1:-10 SAVE) (SIZE) UTF-8 ALL\r\n", {
      tag: "u",
      name: "sort",
      uid: true,
      returns: ["SAVE"],
      partial: { first: -1, last: -10 },
      sortCriteria: [{ key: "SIZE", isReverse: false }],
      charset: "UTF-8",
      criteria: [{ kind: "flag", name: "ALL" }],
    });
  });

  it("rejects empty criteria, unknown keys, a missing charset or keys, REVERSE alone", () => {
    for (const input of [
      "s SORT () UTF-8 ALL\r\n",
      "s SORT (COLOR) UTF-8 ALL\r\n",
      "s SORT (REVERSE) UTF-8 ALL\r\n",
      "s SORT (DATE) UTF-8\r\n",
      "s SORT (DATE)\r\n",
      "s SORT RETURN (SAVE ALL PARTIAL 1:2) (DATE) UTF-8 ALL\r\n",
      "s SORT DATE UTF-8 ALL\r\n",
    ])
      assertRejected(input);
  });
});

describe("THREAD grammar", () => {
  it("reads both algorithms, with and without UID", () => {
    assertParses("t THREAD references UTF-8 ALL\r\n", {
      tag: "t",
      name: "thread",
      uid: false,
      algorithm: "REFERENCES",
      charset: "UTF-8",
      criteria: [{ kind: "flag", name: "ALL" }],
    });
    assertParses("t UID THREAD ORDEREDSUBJECT utf-8 SEEN 1:5\r\n", {
      tag: "t",
      name: "thread",
      uid: true,
      algorithm: "ORDEREDSUBJECT",
      charset: "UTF-8",
      criteria: [
        { kind: "flag", name: "SEEN" },
        { kind: "sequenceSet", set: { kind: "ranges", ranges: [{ from: 1, to: 5 }] } },
      ],
    });
  });

  it("rejects unknown algorithms and missing parts", () => {
    for (const input of ["t THREAD REFS UTF-8 ALL\r\n", "t THREAD REFERENCES UTF-8\r\n", "t THREAD\r\n"])
      assertRejected(input);
  });
});

describe("SORT and THREAD responses", () => {
  const written = (response: ImapResponse) => new TextDecoder().decode(encodeResponse(response));
  it("writes SORT with and without MODSEQ", () => {
    assert.equal(written({ kind: "sort", numbers: [5, 2, 9], modSeq: null }), "* SORT 5 2 9\r\n");
    assert.equal(written({ kind: "sort", numbers: [], modSeq: null }), "* SORT\r\n");
    assert.equal(written({ kind: "sort", numbers: [3], modSeq: 7 as ModSeq }), "* SORT 3 (MODSEQ 7)\r\n");
  });
  it("writes THREAD as RFC 5256 §4's example does", () => {
    const leaf = (id: number) => ({ id, children: [] });
    const chain = (...ids: number[]): { id: number; children: object[] } => {
      const [first, ...rest] = ids;
      return { id: first as number, children: rest.length > 0 ? [chain(...rest)] : [] };
    };
    const threads = [
      leaf(2),
      { id: 3, children: [{ id: 6, children: [chain(4, 23), chain(44, 7, 96)] }] },
      { id: null, children: [leaf(8), chain(9, 10)] },
    ];
    assert.equal(
      written({ kind: "thread", threads } as ImapResponse),
      "* THREAD (2)(3 6 (4 23)(44 7 96))((8)(9 10))\r\n",
    );
    assert.equal(written({ kind: "thread", threads: [] }), "* THREAD\r\n");
  });
});

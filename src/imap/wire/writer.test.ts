import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { ModSeq } from "../../kit/ids.js";
import { ArgumentCursor } from "./argument-cursor.js";
import type { ImapResponse } from "./response.js";
import { parseSequenceSet, type SequenceSet } from "./seqset.js";
import { formatString, SERVER_STYLE } from "./wire-string.js";
import { encodeResponse, writeResponse } from "./writer.js";

const text = (r: ImapResponse, isUtf8Accepted = false): string =>
  new TextDecoder().decode(encodeResponse(r, { isUtf8Accepted }));
const set = (s: string): SequenceSet => parseSequenceSet(s) as SequenceSet;

describe("response writer", () => {
  const cases: [ImapResponse, string][] = [
    [{ kind: "tagged", tag: "a1", status: "OK", code: null, text: "done" }, "a1 OK done\r\n"],
    [
      {
        kind: "tagged",
        tag: "a1",
        status: "OK",
        code: { kind: "APPENDUID", uidValidity: 38505, uids: set("3955") },
        text: "APPEND completed",
      },
      "a1 OK [APPENDUID 38505 3955] APPEND completed\r\n",
    ],
    [
      {
        kind: "tagged",
        tag: "a",
        status: "OK",
        code: { kind: "COPYUID", uidValidity: 1, sourceUids: set("1:3"), destinationUids: set("7:9") },
        text: "x",
      },
      "a OK [COPYUID 1 1:3 7:9] x\r\n",
    ],
    [
      { kind: "tagged", tag: "a", status: "NO", code: { kind: "TRYCREATE" }, text: "no\r\nevil" },
      "a NO [TRYCREATE] no evil\r\n",
    ],
    [
      { kind: "condition", status: "OK", code: { kind: "HIGHESTMODSEQ", modSeq: 7 as ModSeq }, text: "" },
      "* OK [HIGHESTMODSEQ 7]\r\n",
    ],
    [{ kind: "condition", status: "BYE", code: null, text: "Line too long" }, "* BYE Line too long\r\n"],
    [
      {
        kind: "condition",
        status: "OK",
        code: { kind: "PERMANENTFLAGS", flags: ["\\Seen", "\\*"] },
        text: "ok",
      },
      "* OK [PERMANENTFLAGS (\\Seen \\*)] ok\r\n",
    ],
    [{ kind: "continuation", text: "Ready" }, "+ Ready\r\n"],
    [{ kind: "capability", capabilities: ["IMAP4rev2", "IDLE"] }, "* CAPABILITY IMAP4rev2 IDLE\r\n"],
    [{ kind: "enabled", capabilities: [] }, "* ENABLED\r\n"],
    [
      { kind: "list", attributes: ["\\HasNoChildren", "\\Drafts"], delimiter: "/", mailbox: "Entwürfe" },
      '* LIST (\\HasNoChildren \\Drafts) "/" Entw&APw-rfe\r\n',
    ],
    [
      { kind: "list", attributes: [], delimiter: null, mailbox: "a b", childInfo: ["SUBSCRIBED"] },
      '* LIST () NIL "a b" ("CHILDINFO" ("SUBSCRIBED"))\r\n',
    ],
    [
      {
        kind: "status",
        mailbox: "INBOX",
        items: [
          { item: "MESSAGES", value: 2 },
          { item: "MAILBOXID", value: "Mx" },
        ],
      },
      "* STATUS INBOX (MESSAGES 2 MAILBOXID (Mx))\r\n",
    ],
    [{ kind: "exists", count: 23 }, "* 23 EXISTS\r\n"],
    [{ kind: "expunge", sequence: 3 }, "* 3 EXPUNGE\r\n"],
    [{ kind: "search", numbers: [2, 5], modSeq: 9 as ModSeq }, "* SEARCH 2 5 (MODSEQ 9)\r\n"],
    [
      { kind: "esearch", tag: "a1", uid: true, min: 1, all: set("1:3,5"), count: 4 },
      '* ESEARCH (TAG "a1") UID MIN 1 ALL 1:3,5 COUNT 4\r\n',
    ],
    [
      { kind: "namespace", personal: [{ prefix: "", delimiter: "/" }], otherUsers: null, shared: null },
      '* NAMESPACE (("" "/")) NIL NIL\r\n',
    ],
    [{ kind: "id", parameters: [{ key: "name", value: "Postfach" }] }, '* ID ("name" "Postfach")\r\n'],
    [{ kind: "vanished", isEarlier: true, uids: set("41,43:116") }, "* VANISHED (EARLIER) 41,43:116\r\n"],
    [
      {
        kind: "fetch",
        sequence: 12,
        items: [
          { kind: "FLAGS", flags: ["\\Seen"] },
          { kind: "UID", uid: 7 },
          { kind: "MODSEQ", modSeq: 3 as ModSeq },
          {
            kind: "INTERNALDATE",
            date: { year: 2024, month: 3, day: 1, hour: 9, minute: 5, second: 0, zoneMinutes: 60 },
          },
          { kind: "ENVELOPE", rendered: '(NIL "s" NIL NIL NIL NIL NIL NIL NIL NIL)' },
          {
            kind: "BODY[]",
            section: { part: [1], text: { kind: "headerFields", isNot: false, fields: ["FROM"] } },
            origin: 0,
            content: { kind: "bytes", bytes: new TextEncoder().encode("Grüße") },
          },
          {
            kind: "BINARY[]",
            part: [2],
            origin: null,
            content: { kind: "bytes", bytes: Uint8Array.of(0, 1), isBinary: true },
          },
          { kind: "RFC822.TEXT", content: null },
        ],
      },
      '* 12 FETCH (FLAGS (\\Seen) UID 7 MODSEQ (3) INTERNALDATE "01-Mar-2024 09:05:00 +0100" ENVELOPE (NIL "s" NIL NIL NIL NIL NIL NIL NIL NIL) BODY[1.HEADER.FIELDS (FROM)]<0> {7}\r\nGrüße BINARY[2] ~{2}\r\n\0\x01 RFC822.TEXT NIL)\r\n',
    ],
    [
      {
        kind: "quota",
        root: "",
        resources: [
          { name: "STORAGE", usage: 10, limit: 512 },
          { name: "MESSAGE", usage: 3, limit: 100 },
        ],
      },
      '* QUOTA "" (STORAGE 10 512 MESSAGE 3 100)\r\n',
    ],
    [{ kind: "quota", root: "bob@example.test", resources: [] }, "* QUOTA bob@example.test ()\r\n"],
    [{ kind: "quotaroot", mailbox: "Sent Items", roots: [""] }, '* QUOTAROOT "Sent Items" ""\r\n'],
  ];
  for (const [response, expected] of cases) {
    it(`writes ${response.kind} ${JSON.stringify(expected.slice(0, 30))}`, () =>
      assert.equal(text(response), expected));
  }

  it("writes UTF-8 mailbox names for UTF8=ACCEPT sessions", () => {
    assert.equal(
      text({ kind: "list", attributes: [], delimiter: "/", mailbox: "Entwürfe" }, true),
      '* LIST () "/" "Entwürfe"\r\n',
    );
  });

  it("writes FETCH as UIDFETCH under UIDONLY, without the UID item unless it is the only one (RFC 9586 §3.3)", () => {
    const uidOnly = (r: ImapResponse): string =>
      new TextDecoder().decode(encodeResponse(r, { isUtf8Accepted: false, isUidOnly: true }));
    const flags = { kind: "FLAGS", flags: ["\\Seen"] } as const;
    const uid = { kind: "UID", uid: 25996 } as const;
    assert.equal(
      uidOnly({ kind: "fetch", sequence: 7, items: [uid, flags] }),
      "* 25996 UIDFETCH (FLAGS (\\Seen))\r\n",
    );
    assert.equal(
      uidOnly({ kind: "fetch", sequence: 7, items: [flags, uid] }),
      "* 25996 UIDFETCH (FLAGS (\\Seen))\r\n",
    );
    assert.equal(uidOnly({ kind: "fetch", sequence: 7, items: [uid] }), "* 25996 UIDFETCH (UID 25996)\r\n");
    const body = {
      kind: "BODY[]",
      section: { part: [], text: null },
      origin: null,
      content: { kind: "bytes", bytes: new TextEncoder().encode("hi") },
    } as const;
    assert.equal(
      uidOnly({ kind: "fetch", sequence: 7, items: [uid, body] }),
      "* 25996 UIDFETCH (BODY[] {2}\r\nhi)\r\n",
    );
    // Without UIDONLY nothing changes.
    assert.equal(
      text({ kind: "fetch", sequence: 7, items: [uid, flags] }),
      "* 7 FETCH (UID 25996 FLAGS (\\Seen))\r\n",
    );
  });

  it("streams literals through write, awaiting each chunk, and checks their size", async () => {
    async function* chunks() {
      yield Uint8Array.of(0x61, 0x62);
      yield Uint8Array.of(0x63);
    }
    const out: Uint8Array[] = [];
    await writeResponse(
      {
        kind: "fetch",
        sequence: 1,
        items: [
          {
            kind: "BODY[]",
            section: { part: [], text: null },
            origin: null,
            content: { kind: "stream", size: 3, chunks: chunks() },
          },
        ],
      },
      async (chunk) => {
        out.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
      },
    );
    assert.equal(Buffer.concat(out).toString(), "* 1 FETCH (BODY[] {3}\r\nabc)\r\n");
    await assert.rejects(async () =>
      writeResponse(
        {
          kind: "fetch",
          sequence: 1,
          items: [{ kind: "RFC822", content: { kind: "stream", size: 5, chunks: chunks() } }],
        },
        () => {},
      ),
    );
    assert.throws(() =>
      encodeResponse({
        kind: "fetch",
        sequence: 1,
        items: [{ kind: "RFC822", content: { kind: "stream", size: 3, chunks: chunks() } }],
      }),
    );
  });

  it("strings written quoted or as literals read back unchanged", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 2000 }).filter((s) => !s.includes("\0")),
        (value) => {
          const wire = formatString(value, SERVER_STYLE).replace(/^(\{\d+)\}\r\n/, "$1}\n");
          const literalMatch = /^\{(\d+)\}\n/.exec(wire);
          const bytes = new TextEncoder().encode(wire);
          const source = literalMatch
            ? {
                text: bytes.subarray(0, literalMatch[0].length),
                literals: [
                  {
                    size: Number(literalMatch[1]),
                    isBinary: false,
                    bytes: bytes.subarray(literalMatch[0].length),
                  },
                ],
              }
            : { text: bytes, literals: [] };
          const c = new ArgumentCursor(source, { isUtf8Accepted: false, maxNesting: 8, maxArguments: 8 });
          assert.equal(c.string(), value);
          c.expectEnd();
        },
      ),
      { numRuns: 1000 },
    );
  });
});

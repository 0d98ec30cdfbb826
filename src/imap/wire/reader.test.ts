import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ImapReader } from "./reader.js";
import {
  bytesOf,
  type CollectedEvent,
  collectEvents,
  type EventHook,
  splits,
} from "./reader-test-support.js";

/** Asserts `input` gives `expected` events whole, split at every byte position, and byte by byte. */
function assertEvents(input: string, expected: unknown[], hook?: EventHook): void {
  const bytes = bytesOf(input);
  for (const pieces of splits(bytes)) {
    const events = collectEvents(pieces, {}, hook);
    assert.deepEqual(events, expected, `split into ${pieces.map((p) => p.length).join("+")}`);
  }
}

const cmd = (command: object): CollectedEvent => ({ kind: "command", command }) as CollectedEvent;
const bad = (tag: string | null, text: string): CollectedEvent => ({ kind: "syntaxError", tag, text });
const r = (...pairs: [number | "*", number | "*"][]) => ({
  kind: "ranges",
  ranges: pairs.map(([from, to]) => ({ from, to })),
});

describe("reader: good commands at every split point", () => {
  const cases: [string, string, object][] = [
    ["capability", "a CAPABILITY\r\n", { tag: "a", name: "capability" }],
    ["noop lower-case", "x1 noop\r\n", { tag: "x1", name: "noop" }],
    ["logout", "z LOGOUT\r\n", { tag: "z", name: "logout" }],
    ["starttls", "t STARTTLS\r\n", { tag: "t", name: "starttls" }],
    [
      "login atoms",
      "a LOGIN alice secret\r\n",
      { tag: "a", name: "login", username: "alice", password: "secret" },
    ],
    [
      "login quoted with escapes",
      'a LOGIN "al ice" "p\\"w\\\\"\r\n',
      { tag: "a", name: "login", username: "al ice", password: 'p"w\\' },
    ],
    [
      "login literal+",
      "a LOGIN {5+}\r\nalice pw\r\n",
      { tag: "a", name: "login", username: "alice", password: "pw" },
    ],
    [
      "authenticate with SASL-IR",
      "a AUTHENTICATE plain AGFsaWNlAHB3\r\n",
      { tag: "a", name: "authenticate", mechanism: "PLAIN", initialResponse: "AGFsaWNlAHB3" },
    ],
    [
      "authenticate empty initial response",
      "a AUTHENTICATE PLAIN =\r\n",
      { tag: "a", name: "authenticate", mechanism: "PLAIN", initialResponse: "=" },
    ],
    [
      "authenticate without initial response",
      "a AUTHENTICATE SCRAM-SHA-256\r\n",
      { tag: "a", name: "authenticate", mechanism: "SCRAM-SHA-256", initialResponse: null },
    ],
    [
      "enable",
      "e ENABLE CONDSTORE utf8=accept\r\n",
      { tag: "e", name: "enable", capabilities: ["CONDSTORE", "UTF8=ACCEPT"] },
    ],
    [
      "id params",
      'i ID ("name" "x" "version" NIL)\r\n',
      {
        tag: "i",
        name: "id",
        parameters: [
          { key: "name", value: "x" },
          { key: "version", value: null },
        ],
      },
    ],
    ["id nil", "i ID NIL\r\n", { tag: "i", name: "id", parameters: null }],
    [
      "select inbox any case",
      "s SELECT inbox\r\n",
      { tag: "s", name: "select", mailbox: "INBOX", condstore: false, qresync: null },
    ],
    [
      "examine condstore",
      "s EXAMINE Archive (CONDSTORE)\r\n",
      { tag: "s", name: "examine", mailbox: "Archive", condstore: true, qresync: null },
    ],
    [
      "select qresync minimal",
      "s SELECT INBOX (QRESYNC (67890007 2005071519404500))\r\n",
      {
        tag: "s",
        name: "select",
        mailbox: "INBOX",
        condstore: false,
        qresync: { uidValidity: 67890007, modSeq: 2005071519404500, knownUids: null, sequenceMatch: null },
      },
    ],
    [
      "select qresync full",
      "s SELECT INBOX (QRESYNC (1 9 41:211 (1,5 41,200)))\r\n",
      {
        tag: "s",
        name: "select",
        mailbox: "INBOX",
        condstore: false,
        qresync: {
          uidValidity: 1,
          modSeq: 9,
          knownUids: r([41, 211]),
          sequenceMatch: { sequences: r([1, 1], [5, 5]), uids: r([41, 41], [200, 200]) },
        },
      },
    ],
    [
      "create mUTF-7",
      "c CREATE Entw&APw-rfe\r\n",
      { tag: "c", name: "create", mailbox: "Entwürfe", specialUse: [] },
    ],
    [
      "create special-use",
      "c CREATE MyDrafts (USE (\\Drafts \\Sent))\r\n",
      { tag: "c", name: "create", mailbox: "MyDrafts", specialUse: ["\\Drafts", "\\Sent"] },
    ],
    ["delete", 'd DELETE "a b"\r\n', { tag: "d", name: "delete", mailbox: "a b" }],
    ["rename", "r RENAME a &U,BTFw-\r\n", { tag: "r", name: "rename", from: "a", to: "台北" }],
    ["subscribe", "s SUBSCRIBE x\r\n", { tag: "s", name: "subscribe", mailbox: "x" }],
    ["unsubscribe", "s UNSUBSCRIBE x\r\n", { tag: "s", name: "unsubscribe", mailbox: "x" }],
    [
      "list basic",
      'l LIST "" *\r\n',
      {
        tag: "l",
        name: "list",
        reference: "",
        patterns: ["*"],
        selection: { subscribed: false, remote: false, recursiveMatch: false, specialUse: false },
        returns: { subscribed: false, children: false, specialUse: false, status: null, metadata: null },
      },
    ],
    [
      "list extended",
      'l LIST (SUBSCRIBED RECURSIVEMATCH) "" (% "Foo/*") RETURN (SPECIAL-USE STATUS (MESSAGES UIDNEXT))\r\n',
      {
        tag: "l",
        name: "list",
        reference: "",
        patterns: ["%", "Foo/*"],
        selection: { subscribed: true, remote: false, recursiveMatch: true, specialUse: false },
        returns: {
          subscribed: false,
          children: false,
          specialUse: true,
          status: ["MESSAGES", "UIDNEXT"],
          metadata: null,
        },
      },
    ],
    ["lsub", 'l LSUB "" %\r\n', { tag: "l", name: "lsub", reference: "", pattern: "%" }],
    ["namespace", "n NAMESPACE\r\n", { tag: "n", name: "namespace" }],
    [
      "status",
      "s STATUS INBOX (MESSAGES UNSEEN SIZE HIGHESTMODSEQ)\r\n",
      { tag: "s", name: "status", mailbox: "INBOX", items: ["MESSAGES", "UNSEEN", "SIZE", "HIGHESTMODSEQ"] },
    ],
    ["idle", "i IDLE\r\n", { tag: "i", name: "idle" }],
    ["check", "c CHECK\r\n", { tag: "c", name: "check" }],
    ["close", "c CLOSE\r\n", { tag: "c", name: "close" }],
    ["unselect", "u UNSELECT\r\n", { tag: "u", name: "unselect" }],
    ["expunge", "e EXPUNGE\r\n", { tag: "e", name: "expunge", uid: false }],
    [
      "uid expunge",
      "e UID EXPUNGE 3:1,7\r\n",
      { tag: "e", name: "expunge", uid: true, set: r([1, 3], [7, 7]) },
    ],
    [
      "search simple",
      "s SEARCH UNSEEN\r\n",
      {
        tag: "s",
        name: "search",
        uid: false,
        charset: null,
        returns: null,
        partial: null,
        criteria: [{ kind: "flag", name: "UNSEEN" }],
      },
    ],
    [
      "uid search esearch",
      's UID SEARCH RETURN (SAVE COUNT) CHARSET utf-8 HEADER X-Y {3+}\r\nabc LARGER 10 MODSEQ "/flags/\\\\Seen" all 5\r\n',
      {
        tag: "s",
        name: "search",
        uid: true,
        charset: "UTF-8",
        returns: ["COUNT", "SAVE"],
        partial: null,
        criteria: [
          { kind: "header", field: "X-Y", value: "abc" },
          { kind: "size", isLarger: true, bytes: 10 },
          { kind: "modSeq", modSeq: 5, entry: { flag: "\\Seen", type: "all" } },
        ],
      },
    ],
    [
      "search return ()",
      "s SEARCH RETURN () NOT (DELETED SEEN) OLDER 60 EMAILID Mabc $\r\n",
      {
        tag: "s",
        name: "search",
        uid: false,
        charset: null,
        returns: [],
        partial: null,
        criteria: [
          {
            kind: "not",
            key: {
              kind: "and",
              keys: [
                { kind: "flag", name: "DELETED" },
                { kind: "flag", name: "SEEN" },
              ],
            },
          },
          { kind: "age", isOlder: true, seconds: 60 },
          { kind: "emailId", id: "Mabc" },
          { kind: "sequenceSet", set: { kind: "saved" } },
        ],
      },
    ],
    [
      "search partial and update (RFC 9394, RFC 5267)",
      "s UID SEARCH RETURN (update PARTIAL -100:-1 MIN context) FLAGGED\r\n",
      {
        tag: "s",
        name: "search",
        uid: true,
        charset: null,
        returns: ["MIN", "CONTEXT", "UPDATE"],
        partial: { first: -1, last: -100 },
        criteria: [{ kind: "flag", name: "FLAGGED" }],
      },
    ],
    [
      "fetch partial modifier (RFC 9394 §3.2)",
      "f UID FETCH 1:* (UID) (CHANGEDSINCE 7 PARTIAL 50:1)\r\n",
      {
        tag: "f",
        name: "fetch",
        uid: true,
        set: r([1, "*"]),
        items: { kind: "attributes", attributes: [{ kind: "UID" }] },
        changedSince: 7,
        vanished: false,
        partial: { first: 1, last: 50 },
      },
    ],
    [
      "fetch macro",
      "f FETCH 1:* FAST\r\n",
      {
        tag: "f",
        name: "fetch",
        uid: false,
        set: r([1, "*"]),
        items: { kind: "macro", macro: "FAST" },
        changedSince: null,
        vanished: false,
        partial: null,
      },
    ],
    [
      "fetch single attribute",
      "f UID FETCH 5 body.peek[]\r\n",
      {
        tag: "f",
        name: "fetch",
        uid: true,
        set: r([5, 5]),
        items: {
          kind: "attributes",
          attributes: [{ kind: "BODY[]", isPeek: true, section: { part: [], text: null }, partial: null }],
        },
        changedSince: null,
        vanished: false,
        partial: null,
      },
    ],
    [
      "fetch sections",
      "f FETCH 2 (BODY[1.2.MIME] BODY[HEADER.FIELDS.NOT (X)]<5.10> BINARY.SIZE[1] BINARY.PEEK[]<0.1> RFC822.SIZE)\r\n",
      {
        tag: "f",
        name: "fetch",
        uid: false,
        set: r([2, 2]),
        items: {
          kind: "attributes",
          attributes: [
            {
              kind: "BODY[]",
              isPeek: false,
              section: { part: [1, 2], text: { kind: "mime" } },
              partial: null,
            },
            {
              kind: "BODY[]",
              isPeek: false,
              section: { part: [], text: { kind: "headerFields", isNot: true, fields: ["X"] } },
              partial: { offset: 5, length: 10 },
            },
            { kind: "BINARY.SIZE", part: [1] },
            { kind: "BINARY[]", isPeek: true, part: [], partial: { offset: 0, length: 1 } },
            { kind: "RFC822.SIZE" },
          ],
        },
        changedSince: null,
        vanished: false,
        partial: null,
      },
    ],
    [
      "store",
      "s STORE 1:3 -FLAGS (\\deleted $Junk)\r\n",
      {
        tag: "s",
        name: "store",
        uid: false,
        set: r([1, 3]),
        unchangedSince: null,
        action: "remove",
        silent: false,
        flags: ["\\Deleted", "$Junk"],
      },
    ],
    [
      "uid store unchangedsince",
      "s UID STORE 4 (UNCHANGEDSINCE 12) FLAGS.SILENT ()\r\n",
      {
        tag: "s",
        name: "store",
        uid: true,
        set: r([4, 4]),
        unchangedSince: 12,
        action: "replace",
        silent: true,
        flags: [],
      },
    ],
    [
      "getmetadata with options and an entry list (RFC 5464 §4.2)",
      'g GETMETADATA (MAXSIZE 1024 DEPTH infinity) "" (/shared/comment "/private/comment")\r\n',
      {
        tag: "g",
        name: "getmetadata",
        mailbox: "",
        options: { maxSize: 1024, depth: "infinity" },
        entries: ["/shared/comment", "/private/comment"],
      },
    ],
    [
      "getmetadata with one entry",
      "g GETMETADATA INBOX /private/comment\r\n",
      {
        tag: "g",
        name: "getmetadata",
        mailbox: "INBOX",
        options: { maxSize: null, depth: 0 },
        entries: ["/private/comment"],
      },
    ],
    [
      "setmetadata with quoted, literal8 and NIL values (RFC 5464 §4.3)",
      'm SETMETADATA INBOX (/shared/comment "hi" /private/x ~{3}\r\na\u0000b /private/y NIL)\r\n',
      {
        tag: "m",
        name: "setmetadata",
        mailbox: "INBOX",
        entries: [
          { entry: "/shared/comment", value: Uint8Array.from([0x68, 0x69]) },
          { entry: "/private/x", value: Uint8Array.from([0x61, 0, 0x62]) },
          { entry: "/private/y", value: null },
        ],
      },
    ],
    [
      "list return metadata (RFC 9590)",
      'l LIST "" * RETURN (METADATA (DEPTH 1) (/shared/comment /private/comment) CHILDREN)\r\n',
      {
        tag: "l",
        name: "list",
        reference: "",
        patterns: ["*"],
        selection: { subscribed: false, remote: false, recursiveMatch: false, specialUse: false },
        returns: {
          subscribed: false,
          children: true,
          specialUse: false,
          status: null,
          metadata: {
            entries: ["/shared/comment", "/private/comment"],
            options: { maxSize: null, depth: 1 },
          },
        },
      },
    ],
    ["copy", "c COPY 1 Trash\r\n", { tag: "c", name: "copy", uid: false, set: r([1, 1]), mailbox: "Trash" }],
    [
      "uid move",
      "m UID MOVE $ Junk\r\n",
      { tag: "m", name: "move", uid: true, set: { kind: "saved" }, mailbox: "Junk" },
    ],
  ];
  for (const [name, input, command] of cases) {
    it(name, () => {
      const events = collectEvents([bytesOf(input)]).filter((e) => e.kind !== "needLiteral");
      assert.deepEqual(events, [cmd(command)]);
      const expected = collectEvents([bytesOf(input)]);
      assertEvents(input, expected);
    });
  }
});

describe("reader: bad commands give syntaxError with the tag", () => {
  const cases: [string, string, string | null][] = [
    ["unknown command", "a FROB\r\n", "a"],
    ["missing tag", "LOGIN\r\n", null],
    ["plus in tag", "a+ NOOP\r\n", null],
    ["extra argument", "a NOOP x\r\n", "a"],
    ["login missing password", "a LOGIN alice\r\n", "a"],
    ["unterminated quote", 'a LOGIN "alice pw\r\n', "a"],
    ["bad escape", 'a LOGIN "a\\b" c\r\n', "a"],
    ["bad base64", "a AUTHENTICATE PLAIN ab$c\r\n", "a"],
    ["enable without args", "a ENABLE\r\n", "a"],
    ["id odd list", 'a ID ("name")\r\n', "a"],
    ["select bad param", "a SELECT INBOX (FOO)\r\n", "a"],
    ["bad mUTF-7", "a CREATE &Jjo\r\n", "a"],
    ["mUTF-7 encoding ASCII", "a CREATE &AGE-\r\n", "a"],
    ["8-bit name without UTF8=ACCEPT", 'a CREATE "\xc3\xa4"\r\n', "a"],
    ["create bad use", "a CREATE x (USE ())\r\n", "a"],
    ["list recursivematch alone", 'a LIST (RECURSIVEMATCH) "" *\r\n', "a"],
    ["list unknown return", 'a LIST "" * RETURN (FOO)\r\n', "a"],
    ["status empty", "a STATUS INBOX ()\r\n", "a"],
    ["status unknown", "a STATUS INBOX (FOO)\r\n", "a"],
    ["uid on non-uid command", "a UID NOOP\r\n", "a"],
    ["uid expunge without set", "a UID EXPUNGE\r\n", "a"],
    ["search no key", "a SEARCH\r\n", "a"],
    ["search unknown key", "a SEARCH FOO\r\n", "a"],
    ["search bad date", "a SEARCH SINCE 31-Feb-2020\r\n", "a"],
    ["search unbalanced", "a SEARCH (SEEN\r\n", "a"],
    ["fetch zero", "a FETCH 0 FLAGS\r\n", "a"],
    ["fetch bad set", "a FETCH 1:x FLAGS\r\n", "a"],
    ["fetch unknown item", "a FETCH 1 (FOO)\r\n", "a"],
    ["fetch mime without part", "a FETCH 1 BODY[MIME]\r\n", "a"],
    ["fetch bad section", "a FETCH 1 BODY[1.0]\r\n", "a"],
    ["fetch zero partial", "a FETCH 1 BODY[]<0.0>\r\n", "a"],
    ["vanished without uid", "a FETCH 1 FLAGS (CHANGEDSINCE 1 VANISHED)\r\n", "a"],
    ["store bad item", "a STORE 1 FLAGZ (\\Seen)\r\n", "a"],
    ["store recent", "a STORE 1 +FLAGS (\\Recent)\r\n", "a"],
    ["copy missing mailbox", "a COPY 1\r\n", "a"],
    ["append no literal", "a APPEND INBOX\r\n", "a"],
    ["literal8 outside append", "a LOGIN ~{1+}\r\nx y\r\n", "a"],
    ["getmetadata depth 2", "a GETMETADATA (DEPTH 2) INBOX /shared/comment\r\n", "a"],
    ["getmetadata empty options", "a GETMETADATA () INBOX /shared/comment\r\n", "a"],
    ["getmetadata no entries", "a GETMETADATA INBOX ()\r\n", "a"],
    ["setmetadata atom value", "a SETMETADATA INBOX (/shared/comment x)\r\n", "a"],
    ["setmetadata no list", 'a SETMETADATA INBOX /shared/comment "x"\r\n', "a"],
    ["list metadata without entries", 'a LIST "" * RETURN (METADATA)\r\n', "a"],
  ];
  for (const [name, input, tag] of cases) {
    it(name, () => {
      const events = collectEvents([bytesOf(input)]).filter((e) => e.kind !== "needLiteral");
      assert.equal(events.length, 1, JSON.stringify(events));
      assert.equal(events[0]?.kind, "syntaxError", JSON.stringify(events));
      assert.equal((events[0] as { tag: string | null }).tag, tag);
      assertEvents(input, collectEvents([bytesOf(input)]));
    });
  }

  it("recovers at the next line", () => {
    assertEvents("a FROB\r\nb NOOP\r\n", [bad("a", "Unknown command FROB"), cmd({ tag: "b", name: "noop" })]);
  });
});

describe("reader: literals", () => {
  it("announces a synchronizing literal, then gives the command", () => {
    assertEvents("a LOGIN {5}\r\nalice {2}\r\npw\r\n", [
      { kind: "needLiteral", tag: "a", size: 5, sync: true, isBinary: false, append: null },
      { kind: "needLiteral", tag: "a", size: 2, sync: true, isBinary: false, append: null },
      cmd({ tag: "a", name: "login", username: "alice", password: "pw" }),
    ]);
  });

  it("a rejected synchronizing literal ends the command (the client sends nothing more)", () => {
    const hook: EventHook = (event, reader) => {
      if (event.kind === "needLiteral") reader.rejectLiteral();
    };
    assertEvents(
      "a LOGIN {5}\r\nb NOOP\r\n",
      [
        { kind: "needLiteral", tag: "a", size: 5, sync: true, isBinary: false, append: null },
        cmd({ tag: "b", name: "noop" }),
      ],
      hook,
    );
  });

  it("a rejected non-synchronizing literal is skipped with the rest of its command", () => {
    const hook: EventHook = (event, reader) => {
      if (event.kind === "needLiteral") reader.rejectLiteral();
    };
    assertEvents(
      "a LOGIN {5+}\r\nb NOO {1+}\r\nP\r\nc NOOP\r\n",
      [
        { kind: "needLiteral", tag: "a", size: 5, sync: false, isBinary: false, append: null },
        cmd({ tag: "c", name: "noop" }),
      ],
      hook,
    );
  });

  it("streams CATENATE TEXT literals as pieces of their message; a URL literal is an argument (RFC 4469)", () => {
    const head = { mailbox: "Drafts", index: 0, flags: ["\\Seen"], internalDate: null, isUtf8: false };
    assertEvents(
      'a APPEND Drafts (\\Seen) CATENATE (TEXT {3+}\r\nabc URL {4}\r\n/A/b URL "/INBOX/;UID=1" TEXT ~{2+}\r\n\x00z) {1+}\r\nq\r\n',
      [
        {
          kind: "needLiteral",
          tag: "a",
          size: 3,
          sync: false,
          isBinary: false,
          append: { ...head, catenatePart: 0 },
        },
        { kind: "literalChunk", bytes: [97, 98, 99] },
        { kind: "literalEnd" },
        { kind: "needLiteral", tag: "a", size: 4, sync: true, isBinary: false, append: null },
        {
          kind: "needLiteral",
          tag: "a",
          size: 2,
          sync: false,
          isBinary: true,
          append: { ...head, catenatePart: 3 },
        },
        { kind: "literalChunk", bytes: [0, 122] },
        { kind: "literalEnd" },
        {
          kind: "needLiteral",
          tag: "a",
          size: 1,
          sync: false,
          isBinary: false,
          append: { mailbox: "Drafts", index: 1, flags: [], internalDate: null, isUtf8: false },
        },
        { kind: "literalChunk", bytes: [113] },
        { kind: "literalEnd" },
        cmd({
          tag: "a",
          name: "append",
          mailbox: "Drafts",
          messages: [
            {
              flags: ["\\Seen"],
              internalDate: null,
              isUtf8: false,
              isBinary: false,
              size: 5,
              catenate: [
                { kind: "text", size: 3, isBinary: false },
                { kind: "url", url: "/A/b" },
                { kind: "url", url: "/INBOX/;UID=1" },
                { kind: "text", size: 2, isBinary: true },
              ],
            },
            { flags: [], internalDate: null, isUtf8: false, isBinary: false, size: 1 },
          ],
        }),
      ],
    );
  });

  it("streams APPEND message literals and reports the command after them (MULTIAPPEND, literal8, UTF8)", () => {
    assertEvents(
      'a APPEND {5}\r\nDraft (\\Seen) " 7-Feb-1994 21:52:25 -0800" {3}\r\nabc ~{2+}\r\n\x00z UTF8 (~{1}\r\nq)\r\n',
      [
        { kind: "needLiteral", tag: "a", size: 5, sync: true, isBinary: false, append: null },
        {
          kind: "needLiteral",
          tag: "a",
          size: 3,
          sync: true,
          isBinary: false,
          append: {
            mailbox: "Draft",
            index: 0,
            flags: ["\\Seen"],
            internalDate: {
              year: 1994,
              month: 2,
              day: 7,
              hour: 21,
              minute: 52,
              second: 25,
              zoneMinutes: -480,
            },
            isUtf8: false,
          },
        },
        { kind: "literalChunk", bytes: [97, 98, 99] },
        { kind: "literalEnd" },
        {
          kind: "needLiteral",
          tag: "a",
          size: 2,
          sync: false,
          isBinary: true,
          append: { mailbox: "Draft", index: 1, flags: [], internalDate: null, isUtf8: false },
        },
        { kind: "literalChunk", bytes: [0, 122] },
        { kind: "literalEnd" },
        {
          kind: "needLiteral",
          tag: "a",
          size: 1,
          sync: true,
          isBinary: true,
          append: { mailbox: "Draft", index: 2, flags: [], internalDate: null, isUtf8: true },
        },
        { kind: "literalChunk", bytes: [113] },
        { kind: "literalEnd" },
        cmd({
          tag: "a",
          name: "append",
          mailbox: "Draft",
          messages: [
            {
              flags: ["\\Seen"],
              internalDate: {
                year: 1994,
                month: 2,
                day: 7,
                hour: 21,
                minute: 52,
                second: 25,
                zoneMinutes: -480,
              },
              isUtf8: false,
              isBinary: false,
              size: 3,
            },
            { flags: [], internalDate: null, isUtf8: false, isBinary: true, size: 2 },
            { flags: [], internalDate: null, isUtf8: true, isBinary: true, size: 1 },
          ],
        }),
      ],
    );
  });

  it("an empty APPEND literal still ends with literalEnd", () => {
    assertEvents("a APPEND INBOX {0}\r\n\r\n", [
      {
        kind: "needLiteral",
        tag: "a",
        size: 0,
        sync: true,
        isBinary: false,
        append: { mailbox: "INBOX", index: 0, flags: [], internalDate: null, isUtf8: false },
      },
      { kind: "literalEnd" },
      cmd({
        tag: "a",
        name: "append",
        mailbox: "INBOX",
        messages: [{ flags: [], internalDate: null, isUtf8: false, isBinary: false, size: 0 }],
      }),
    ]);
  });

  it("an APPEND with a bad prefix fails before the message is sent", () => {
    assertEvents("a APPEND INBOX (\\Seen {3}\r\nb NOOP\r\n", [
      bad("a", "Unexpected character '{'"),
      cmd({ tag: "b", name: "noop" }),
    ]);
  });

  it("garbage after an APPEND message is a syntax error after the stream", () => {
    const events = collectEvents([bytesOf("a APPEND INBOX {1+}\r\nx junk\r\n")]);
    assert.deepEqual(events.at(-1), bad("a", "Expected {"));
  });

  it("streaming can be abandoned with discardCommand", () => {
    const hook: EventHook = (event, reader) => {
      if (event.kind === "literalChunk") reader.discardCommand();
    };
    const events = collectEvents([bytesOf("a APPEND INBOX {3+}\r\nabc\r\nb NOOP\r\n")], {}, hook);
    assert.deepEqual(events.slice(1), [
      { kind: "literalChunk", bytes: [97, 98, 99] },
      cmd({ tag: "b", name: "noop" }),
    ]);
  });
});

describe("reader: modes", () => {
  it("reads AUTHENTICATE continuation lines when told to", () => {
    const hook: EventHook = (event, reader) => {
      if (event.kind === "command") reader.expectContinuationLine();
    };
    assertEvents(
      "a AUTHENTICATE PLAIN\r\nAGFsaWNlAHB3\r\n",
      [
        cmd({ tag: "a", name: "authenticate", mechanism: "PLAIN", initialResponse: null }),
        { kind: "continuationLine", line: "AGFsaWNlAHB3" },
      ],
      hook,
    );
  });

  it("reads IDLE's DONE, rejects other lines, then reads commands again", () => {
    const hook: EventHook = (event, reader) => {
      if (event.kind === "command" && event.command.name === "idle") reader.expectIdleDone();
    };
    assertEvents(
      "a IDLE\r\nb NOOP\r\ndone\r\nc NOOP\r\n",
      [
        cmd({ tag: "a", name: "idle" }),
        bad(null, "Expected DONE"),
        { kind: "idleDone" },
        cmd({ tag: "c", name: "noop" }),
      ],
      hook,
    );
  });

  it("reads UTF-8 mailbox names after UTF8=ACCEPT", () => {
    const hook: EventHook = (event, reader) => {
      if (event.kind === "command" && event.command.name === "enable") reader.setUtf8Accepted(true);
    };
    assertEvents(
      'a ENABLE UTF8=ACCEPT\r\nb SELECT "Entwürfe"\r\n',
      [
        cmd({ tag: "a", name: "enable", capabilities: ["UTF8=ACCEPT"] }),
        cmd({ tag: "b", name: "select", mailbox: "Entwürfe", condstore: false, qresync: null }),
      ],
      hook,
    );
  });

  it("accepts bare LF line ends and ignores empty lines", () => {
    assertEvents("\r\na NOOP\n\nb NOOP\r\n", [
      cmd({ tag: "a", name: "noop" }),
      cmd({ tag: "b", name: "noop" }),
    ]);
  });
});

describe("reader: commands peeked at ahead", () => {
  /** Reacts as a session would: UTF8=ACCEPT after ENABLE, DONE awaited after IDLE. */
  const sessionHook: EventHook = (event, reader) => {
    if (event.kind !== "command") return;
    if (event.command.name === "enable") reader.setUtf8Accepted(true);
    if (event.command.name === "idle") reader.expectIdleDone();
  };
  const inputs = [
    "a1 UID FETCH 7 (BODY.PEEK[])\r\na2 UID FETCH 9 (BODY.PEEK[])\r\na3 FETCH 1:* (FLAGS)\r\n",
    "a1 UID FETCH 7 (BODY.PEEK[])\r\nbad line\r\na2 UID FETCH 9 (BODY.PEEK[])\r\n",
    "a1 NOOP\r\na2 LOGIN {5+}\r\nalice pw\r\na3 NOOP\r\n",
    "a1 NOOP\r\n\r\na2 NOOP\r\n",
    'a1 ENABLE UTF8=ACCEPT\r\na2 SELECT "caf\u00e9"\r\na3 NOOP\r\n',
    "a1 IDLE\r\nDONE\r\na2 NOOP\r\n",
    "a1 UID FETCH 7 (BODY.PEEK[])\r\na2 UID FETCH 8 (BODY.PEEK[]",
  ];

  it("gives the same events at every split point, and peeks what comes next", () => {
    for (const input of inputs) {
      for (const pieces of splits(bytesOf(input))) {
        const plain = collectEvents(pieces, {}, sessionHook);
        let expectedNext: readonly object[] = [];
        const peeking = collectEvents(pieces, {}, (event, reader) => {
          if (event.kind === "command" && expectedNext.length > 0) {
            // A peeked command is the next event, unless a control call came in between.
            assert.deepEqual(event.command, expectedNext[0], input);
          }
          sessionHook(event, reader);
          expectedNext = event.kind === "command" ? reader.peekCommands(3) : [];
        });
        assert.deepEqual(peeking, plain, `${JSON.stringify(input)} split into ${pieces.length}`);
      }
    }
  });

  it("peeks only complete literal-free commands of the buffer being fed", () => {
    const reader = new ImapReader();
    const peeked: string[][] = [];
    for (const event of reader.feed(bytesOf(inputs[2] as string))) {
      if (event.kind === "command") peeked.push(reader.peekCommands(5).map((c) => c.tag));
    }
    assert.deepEqual(peeked, [[], ["a3"], []]);
    const fetches: string[][] = [];
    for (const event of reader.feed(bytesOf(inputs[6] as string))) {
      if (event.kind === "command") fetches.push(reader.peekCommands(5).map((c) => c.tag));
    }
    assert.deepEqual(fetches, [[]]);
    const fresh = new ImapReader();
    const tags: string[][] = [];
    for (const event of fresh.feed(bytesOf(inputs[0] as string))) {
      if (event.kind === "command") tags.push(fresh.peekCommands(1).map((c) => c.tag));
    }
    assert.deepEqual(tags, [["a2"], ["a3"], []]);
    assert.deepEqual(fresh.peekCommands(5), [], "nothing once the buffer is consumed");
  });
});

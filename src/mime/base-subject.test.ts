import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { baseSubject, foldForCollation } from "./base-subject.js";
import { indexMessage } from "./index/index-message.js";
import { sortKeysOf } from "./sort-keys.js";

describe("baseSubject (RFC 5256 §2.1)", () => {
  const cases: [string, string, boolean][] = [
    ["Hello", "hello", false],
    ["  Hello \t  world  ", "hello world", false],
    ["Re: Hello", "hello", true],
    ["RE:Hello", "hello", true],
    ["re : hello", "hello", true],
    ["Fw: hello", "hello", true],
    ["FWD: hello", "hello", true],
    ["Re: Re: Fwd: hello", "hello", true],
    ["Re[2]: hello", "hello", true],
    ["Re [2]: hello", "hello", true],
    ["[list] Re: hello", "hello", true],
    ["Re: [list] Fwd: hello", "hello", true],
    ["[list] hello", "hello", false],
    ["[a] [b] hello", "hello", false],
    ["[only blob]", "[only blob]", false],
    ["[a] [b]", "[b]", false],
    ["hello (fwd)", "hello", true],
    ["hello (FWD) (fwd)  ", "hello", true],
    ["[Fwd: hello]", "hello", true],
    ["[fwd: Re: hello (fwd)]", "hello", true],
    ["Re: [Fwd: [list] Re: hello]", "hello", true],
    ["Reply to this", "reply to this", false],
    ["Fwdx: hello", "fwdx: hello", false],
    ["Ünïcode ÄÖ", "Ünïcode ÄÖ", false],
    ["", "", false],
    ["Re:", "", true],
  ];
  for (const [subject, key, isReply] of cases) {
    it(JSON.stringify(subject), () => {
      assert.deepEqual(baseSubject(subject), { key: foldForCollation(key), isReplyOrForward: isReply });
    });
  }
});

describe("foldForCollation (i;unicode-casemap, RFC 5051)", () => {
  it("case-maps and decomposes, so case variants compare equal", () => {
    assert.equal(foldForCollation("Hello_world"), "HELLO_WORLD");
    assert.equal(foldForCollation("ärger"), foldForCollation("ÄRGER"));
    assert.equal(foldForCollation("é"), "E\u0301");
    assert.equal(foldForCollation("ﬁle"), "FILE");
  });
});

describe("sortKeysOf", () => {
  it("decodes encoded-words, takes first addresses and the references chain", () => {
    const raw = [
      "From: =?UTF-8?B?SsO8cmdlbg==?= <Juergen@Example.COM>, other@example.com",
      "To: undisclosed:;, Bob <BOB@example.org>",
      "Cc: group: Carol <carol@x.test>;",
      "Subject: =?UTF-8?Q?Re:_[list]_Fwd:_caf=C3=A9?=",
      "Date: Thu, 26 Nov 2026 10:00:00 +0100",
      "Message-ID: <m1@x>",
      "In-Reply-To: <p@x> <q@x>",
      "",
      "body",
    ].join("\r\n");
    const keys = sortKeysOf(indexMessage(Buffer.from(raw)));
    assert.equal(keys.baseSubject, "CAFE\u0301");
    assert.equal(keys.isReplyOrForward, true);
    assert.equal(keys.fromMailbox, "JUERGEN");
    assert.equal(keys.displayFrom, "JU\u0308RGEN");
    assert.equal(keys.toMailbox, "BOB");
    assert.equal(keys.displayTo, "BOB");
    assert.equal(keys.ccMailbox, "CAROL");
    assert.equal(keys.sentAtMs, Date.UTC(2026, 10, 26, 9));
    assert.equal(keys.messageId, "m1@x");
    assert.deepEqual(keys.references, ["p@x"]);
  });

  it("falls back to the address without a display name; empty keys without headers", () => {
    const raw = "From: alice@example.com\r\nReferences: <a@x> <b@x>\r\nIn-Reply-To: <c@x>\r\n\r\nx";
    const keys = sortKeysOf(indexMessage(Buffer.from(raw)));
    assert.equal(keys.displayFrom, "ALICE@EXAMPLE.COM");
    assert.equal(keys.toMailbox, "");
    assert.equal(keys.displayTo, "");
    assert.equal(keys.sentAtMs, null);
    assert.equal(keys.messageId, null);
    assert.deepEqual(keys.references, ["a@x", "b@x"]);
  });
});

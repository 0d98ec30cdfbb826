import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decodeMaildirFolderName,
  decodeModifiedUtf7,
  encodeModifiedUtf7,
  parseDovecotKeywords,
  parseDovecotSubscriptions,
  parseDovecotUidList,
  parseMaildirFileName,
} from "./maildir-format.js";

const KEYWORDS = parseDovecotKeywords("0 Project-X\n1 $Label1\nbroken line\n30 Toolarge\n");

describe("Maildir file names", () => {
  it("reads flags and keyword letters from the info", () => {
    const parsed = parseMaildirFileName("1790000000.M1P2.host,S=120,W=124:2,DFPRSTab", KEYWORDS);
    assert.ok(parsed.ok);
    assert.equal(parsed.name.base, "1790000000.M1P2.host,S=120,W=124");
    assert.deepEqual([...parsed.name.system].sort(), [
      "\\Answered",
      "\\Deleted",
      "\\Draft",
      "\\Flagged",
      "\\Seen",
    ]);
    assert.deepEqual(parsed.name.keywords, ["$Forwarded", "$Label1", "Project-X"]);
  });

  it("a file in new/ has no info; unknown letters are reported, not fatal", () => {
    const plain = parseMaildirFileName("1790000000.x.host", KEYWORDS);
    assert.ok(plain.ok && plain.name.system.length === 0);
    const unknown = parseMaildirFileName("1.x:2,Sz", KEYWORDS);
    assert.ok(unknown.ok);
    assert.deepEqual(unknown.name.unknownLetters, ["z"]);
  });

  it("refuses damaged names", () => {
    for (const name of ["", ".hidden", ":2,S", "1.x:1,abc", "1.x:2,S\u00e9", "1.x:2,S!"]) {
      assert.equal(parseMaildirFileName(name, KEYWORDS).ok, false, name);
    }
  });
});

describe("dovecot-uidlist", () => {
  it("reads version 3 with P fields and raises NEXTUID past the listed UIDs", () => {
    const list = parseDovecotUidList(
      "3 V1700000000 N4 G0123abcd\n1 :1.a.host,S=5\n2 P00000002abc W7 :2.b.host,S=5:2,S\n5 P-x- :5.c\nnot a line\n",
    );
    assert.equal(list.uidValidity, 1700000000);
    assert.equal(list.nextUid, 6);
    assert.deepEqual(list.records.get("1.a.host,S=5"), { uid: 1, pop3Uidl: undefined });
    assert.deepEqual(list.records.get("2.b.host,S=5"), { uid: 2, pop3Uidl: "00000002abc" });
    assert.equal(list.records.get("5.c")?.uid, 5);
  });

  it("reads version 1 and refuses other headers", () => {
    const list = parseDovecotUidList("1 1234 3\n1 1.a.host:2,S\n2 2.b.host\n");
    assert.equal(list.uidValidity, 1234);
    assert.equal(list.records.get("1.a.host")?.uid, 1);
    assert.throws(() => parseDovecotUidList("2 V1 N1\n"), /version/);
    assert.throws(() => parseDovecotUidList("3 N5\n"), /UIDVALIDITY/);
    assert.throws(() => parseDovecotUidList(""), /version/);
  });
});

describe("Maildir++ folder names", () => {
  it("decodes hierarchy and modified UTF-7", () => {
    assert.equal(decodeMaildirFolderName(".Lists.Gr&APYA3w-e &- Co"), "Lists/Größe & Co");
    assert.equal(decodeMaildirFolderName(".inbox"), "INBOX");
    assert.equal(decodeMaildirFolderName(".&ZeVnLIqe-"), "日本語");
  });

  it("refuses malformed names", () => {
    for (const name of [".", ".a..b", ".a&Jjo", ".&AGE-", ".a\u00e9", ".&A-"]) {
      assert.throws(() => decodeMaildirFolderName(name), Error, name);
    }
  });

  it("modified UTF-7 round trips", () => {
    for (const text of ["Größe & Co", "日本語/x", "&&", "plain", "😀 emoji"]) {
      assert.equal(decodeModifiedUtf7(encodeModifiedUtf7(text)), text);
    }
    assert.equal(encodeModifiedUtf7("Größe"), "Gr&APYA3w-e");
  });
});

describe("Dovecot subscriptions file", () => {
  it("reads version 2: tab-separated levels, tab-escaped, modified UTF-7", () => {
    const parsed = parseDovecotSubscriptions("V\t2\n\nINBOX\nLists\tGr&APYA3w-e &- Co\nINBOX\n");
    assert.deepEqual(parsed.names, ["INBOX", "Lists/Größe & Co"]);
    assert.deepEqual(parsed.problems, []);
  });

  it("reads version 1: one name a line with Maildir++'s '.' delimiter", () => {
    const parsed = parseDovecotSubscriptions("inbox\nLists.Gr&APYA3w-e\nSent\n");
    assert.deepEqual(parsed.names, ["INBOX", "Lists/Größe", "Sent"]);
  });

  it("reports lines that do not decode and keeps the rest", () => {
    const parsed = parseDovecotSubscriptions("V\t2\n\nGood\nBad&Jjo\na.b\tc\nTab\x01tName\n");
    assert.deepEqual(parsed.names, ["Good"]);
    assert.equal(parsed.problems.length, 3, "a control character (here an escaped tab) is no mailbox name");
  });
});

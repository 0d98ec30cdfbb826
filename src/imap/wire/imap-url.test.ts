import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseImapMessageUrl } from "./imap-url.js";

describe("parseImapMessageUrl (RFC 5092 message URLs for CATENATE)", () => {
  it("reads the path form with UIDVALIDITY, UID, SECTION and PARTIAL", () => {
    assert.deepEqual(parseImapMessageUrl("/INBOX;UIDVALIDITY=385759045/;UID=20/;SECTION=1.MIME"), {
      user: null,
      mailbox: "INBOX",
      uidValidity: 385759045,
      uid: 20,
      section: { part: [1], text: { kind: "mime" } },
      partial: null,
    });
    const partial = parseImapMessageUrl("/Drafts/;uid=3/;section=TEXT/;partial=10.20");
    assert.equal(partial?.mailbox, "Drafts");
    assert.deepEqual(partial?.section, { part: [], text: { kind: "text" } });
    assert.deepEqual(partial?.partial, { offset: 10, length: 20 });
  });

  it("keeps hierarchy delimiters and percent-encoded UTF-8 in mailbox names", () => {
    assert.equal(parseImapMessageUrl("/Lists/Work%20Stuff/;UID=1")?.mailbox, "Lists/Work Stuff");
    assert.equal(parseImapMessageUrl("/Entw%C3%BCrfe;UIDVALIDITY=7/;UID=1")?.mailbox, "Entwürfe");
  });

  it("reads absolute URLs with a user, and URLs relative to the selected mailbox", () => {
    const absolute = parseImapMessageUrl("imap://bob%40example.test@mail.example.test/INBOX/;UID=5");
    assert.equal(absolute?.user, "bob@example.test");
    assert.equal(absolute?.mailbox, "INBOX");
    const relative = parseImapMessageUrl(";UID=20/;SECTION=HEADER.FIELDS%20(SUBJECT%20FROM)");
    assert.equal(relative?.mailbox, null);
    assert.deepEqual(relative?.section, {
      part: [],
      text: { kind: "headerFields", isNot: false, fields: ["SUBJECT", "FROM"] },
    });
  });

  it("refuses what it cannot resolve: no UID, URLAUTH, bad sections, bad escapes, huge numbers", () => {
    for (const url of [
      "/INBOX",
      "/INBOX;UIDVALIDITY=1",
      "/INBOX/;UID=0",
      "/INBOX/;UID=99999999999",
      "/INBOX/;UID=1/;SECTION=0",
      "/INBOX/;UID=1/;SECTION=MIME",
      "/INBOX/;UID=1/;SECTION=1.BOGUS",
      "/INBOX/;UID=1/;URLAUTH=anonymous:internal:abc",
      "/IN%ZZBOX/;UID=1",
      "/%FF/;UID=1",
      "imap://host",
      "http://host/INBOX/;UID=1",
      "INBOX/;UID=1",
      "",
    ]) {
      assert.equal(parseImapMessageUrl(url), null, url);
    }
  });
});

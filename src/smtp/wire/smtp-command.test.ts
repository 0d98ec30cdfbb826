import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCommand } from "./smtp-command.js";

const parse = (line: string) => parseCommand(Buffer.from(line, "utf8"));

describe("parseCommand", () => {
  it("parses MAIL with parameters, case-insensitive verbs and keys", () => {
    const c = parse("mail from:<Bob@Example.test> size=1000 BODY=8BITMIME SMTPUTF8");
    assert.equal(c.verb, "MAIL");
    if (c.verb !== "MAIL") return;
    assert.equal(c.from, "Bob@Example.test");
    assert.deepEqual(
      [...c.params],
      [
        ["SIZE", "1000"],
        ["BODY", "8BITMIME"],
        ["SMTPUTF8", null],
      ],
    );
  });

  it("accepts the null sender, a space after the colon, source routes and quoted local parts", () => {
    assert.deepEqual(parse("MAIL FROM:<>"), { verb: "MAIL", from: "", params: new Map() });
    assert.equal((parse("RCPT TO: <a@b.example>") as { to: string }).to, "a@b.example");
    assert.equal((parse("RCPT TO:<@relay.example:a@b.example>") as { to: string }).to, "a@b.example");
    assert.equal((parse('RCPT TO:<"john doe"@b.example>') as { to: string }).to, "john doe@b.example");
  });

  it("accepts UTF-8 mailboxes (RFC 6531)", () => {
    assert.equal((parse("RCPT TO:<jörg@bücher.example>") as { to: string }).to, "jörg@bücher.example");
  });

  it("refuses malformed paths and parameters", () => {
    for (const line of [
      "RCPT TO:<>",
      "RCPT TO:a@b",
      "RCPT TO:<a@b",
      "RCPT TO:<a@b>x",
      "RCPT TO:<a..b@c>",
      "RCPT TO:<@c>",
      "MAIL FROM:<a@b> SIZE=1 SIZE=2",
      "MAIL FROM:<a@b> =x",
      "MAIL TO:<a@b>",
      "DATA now",
      "EHLO",
    ]) {
      assert.equal(parse(line).verb, "syntaxError", line);
    }
  });

  it("refuses control characters and invalid UTF-8", () => {
    assert.equal(parse("NOOP\u0000").verb, "syntaxError");
    assert.equal(parseCommand(Buffer.from([0x4e, 0x4f, 0x4f, 0x50, 0x20, 0xff])).verb, "syntaxError");
  });

  it("names unknown commands", () => {
    assert.deepEqual(parse("XYZZY 10"), { verb: "unknown", name: "XYZZY" });
  });

  it("parses BURL (RFC 4468): one URL and an optional LAST", () => {
    const url =
      "imap://a%40b.test@h/Drafts/;UID=3;URLAUTH=submit+a%40b.test:INTERNAL:0123456789abcdef0123456789abcdef";
    assert.deepEqual(parse(`BURL ${url} LAST`), { verb: "BURL", url, isLast: true });
    assert.deepEqual(parse(`burl ${url}`), { verb: "BURL", url, isLast: false });
    for (const bad of ["BURL", "BURL ", `BURL ${url} FIRST`, `BURL ${url} LAST x`])
      assert.equal(parse(bad).verb, "syntaxError", bad);
  });

  it("parses BDAT (RFC 3030) and AUTH (RFC 4954)", () => {
    assert.deepEqual(parse("BDAT 10 LAST"), { verb: "BDAT", bytes: 10, isLast: true });
    assert.deepEqual(parse("bdat 0"), { verb: "BDAT", bytes: 0, isLast: false });
    for (const bad of ["BDAT", "BDAT x", "BDAT 10 FIRST", "BDAT -1", "BDAT 1234567890123456"])
      assert.equal(parse(bad).verb, "syntaxError", bad);
    assert.deepEqual(parse("AUTH plain AGFAYg=="), {
      verb: "AUTH",
      mechanism: "PLAIN",
      initialResponse: "AGFAYg==",
    });
    assert.deepEqual(parse("AUTH LOGIN"), { verb: "AUTH", mechanism: "LOGIN", initialResponse: null });
    assert.equal(parse("AUTH").verb, "syntaxError");
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderNString, renderString } from "./imap-string.js";

describe("renderString (RFC 9051 §4.3)", () => {
  it("quotes safe text and escapes quote and backslash", () => {
    assert.equal(renderString("plain"), '"plain"');
    assert.equal(renderString('a "b" \\c'), '"a \\"b\\" \\\\c"');
    assert.equal(renderString(""), '""');
  });

  it("uses a literal counted in UTF-8 octets for 8-bit text and line breaks", () => {
    assert.equal(renderString("café"), "{5}\r\ncafé");
    assert.equal(renderString("a\r\nb"), "{4}\r\na\r\nb");
    assert.equal(renderString("☕"), "{3}\r\n☕");
  });

  it("drops NUL and renders null as NIL", () => {
    assert.equal(renderString("a\0b"), '"ab"');
    assert.equal(renderNString(null), "NIL");
  });
});

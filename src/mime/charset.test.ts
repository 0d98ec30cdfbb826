import assert from "node:assert/strict";
import { describe, it } from "node:test";
import iconv from "iconv-lite";
import { decodeCharset } from "./charset.js";
import { decodeHeaderBytes } from "./header-text.js";

describe("decodeCharset", () => {
  it("converts common charsets to UTF-8", () => {
    const cases: [string, string][] = [
      ["ISO-8859-1", "Grüße"],
      ["iso-8859-2", "Łódź"],
      ["windows-1252", "€ “quotes”"],
      ["windows-1251", "Привет"],
      ["KOI8-R", "Привет"],
      ["Shift_JIS", "こんにちは"],
      ["EUC-JP", "こんにちは"],
      ["EUC-KR", "안녕하세요"],
      ["GB2312", "你好"],
      ["GBK", "你好"],
      ["Big5", "你好"],
    ];
    for (const [charset, text] of cases)
      assert.equal(decodeCharset(iconv.encode(text, charset), charset), text, charset);
  });

  it("decodes ISO-2022-JP", () => {
    const bytes = Buffer.from("1b2442467c4b5c386c1b2842", "hex");
    assert.equal(decodeCharset(bytes, "iso-2022-jp"), "日本語");
  });

  it("falls back sanely for unknown, missing and lying charsets", () => {
    assert.equal(decodeCharset(Buffer.from("café"), "x-unknown"), "café");
    assert.equal(decodeCharset(Buffer.from([0x63, 0x61, 0x66, 0xe9]), "x-unknown"), "café");
    assert.equal(decodeCharset(Buffer.from("café"), null), "café");
    assert.equal(decodeCharset(Buffer.from("café"), "us-ascii"), "café");
    assert.equal(decodeCharset(Buffer.from("x"), '"UTF-8"'), "x");
  });
});

describe("decodeHeaderBytes", () => {
  it("keeps valid UTF-8 and reads stray 8-bit bytes as Latin-1", () => {
    assert.equal(decodeHeaderBytes(Buffer.from("naïve")), "naïve");
    assert.equal(decodeHeaderBytes(Buffer.from([0x61, 0xe9, 0x62, 0xc3, 0xa9])), "aébé");
    assert.equal(decodeHeaderBytes(Buffer.from([0xf0, 0x9f, 0x98])), "\u00f0\u009f\u0098");
  });
});

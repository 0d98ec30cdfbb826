import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeEncodedWords } from "./encoded-word.js";

describe("decodeEncodedWords (RFC 2047)", () => {
  it("decodes B and Q words in any case", () => {
    assert.equal(decodeEncodedWords("=?UTF-8?B?w6k=?="), "é");
    assert.equal(decodeEncodedWords("=?iso-8859-1?q?caf=E9_cr=E8me?="), "café crème");
    assert.equal(decodeEncodedWords("=?utf-8?Q?a=3Fb?="), "a?b");
  });

  it("drops whitespace between adjacent words only (§6.2)", () => {
    assert.equal(decodeEncodedWords("=?utf-8?q?a?= =?utf-8?q?b?="), "ab");
    assert.equal(decodeEncodedWords("=?utf-8?q?a?=\t  =?iso-8859-1?q?b?="), "ab");
    assert.equal(decodeEncodedWords("=?utf-8?q?a?= x =?utf-8?q?b?="), "a x b");
    assert.equal(decodeEncodedWords("x =?utf-8?q?a?="), "x a");
  });

  it("joins a multi-byte character split across two words", () => {
    assert.equal(decodeEncodedWords("=?utf-8?q?caf=C3?= =?utf-8?q?=A9?="), "café");
    assert.equal(decodeEncodedWords("=?utf-8?b?5bGx?= =?utf-8?b?55Sw?="), "山田");
  });

  it("decodes words glued to text, RFC 2231 language suffixes and mixed charsets", () => {
    assert.equal(decodeEncodedWords("re:=?utf-8?q?x?=y"), "re:xy");
    assert.equal(decodeEncodedWords("=?utf-8*en?q?hi?="), "hi");
    assert.equal(
      decodeEncodedWords("=?koi8-r?b?8NLJ18XU?= =?shift_jis?b?grGC8YLJgr+CzQ==?="),
      "Приветこんにちは",
    );
  });

  it("keeps broken or unknown words best-effort and never throws", () => {
    assert.equal(decodeEncodedWords("=?utf-8?x?abc?="), "=?utf-8?x?abc?=");
    assert.equal(decodeEncodedWords("=?utf-8?q?unterminated"), "=?utf-8?q?unterminated");
    assert.equal(decodeEncodedWords("=?x-unknown?q?plain?="), "plain");
    assert.equal(decodeEncodedWords("=?utf-8?b?!!!w6k?="), "é");
    assert.equal(decodeEncodedWords("=?utf-8?q?hello world?="), "hello world");
  });
});

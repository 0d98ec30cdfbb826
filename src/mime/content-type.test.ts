import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseContentType, parseDisposition, parseLanguage } from "./content-type.js";

describe("parseContentType (RFC 2045 §5)", () => {
  it("keeps the written case for BODYSTRUCTURE and lower-cases for the part tree", () => {
    const type = parseContentType("TEXT/Html; CHARSET=UTF-8", false);
    assert.equal(type.type, "text");
    assert.equal(type.subtypeRaw, "Html");
    assert.deepEqual(type.rawParams, [{ name: "CHARSET", value: "UTF-8" }]);
    assert.equal(type.params.charset, "UTF-8");
  });

  it("defaults to text/plain us-ascii, or message/rfc822 in a digest, and adds a missing text charset", () => {
    assert.equal(parseContentType(null, false).params.charset, "us-ascii");
    assert.equal(parseContentType(null, true).subtype, "rfc822");
    assert.deepEqual(parseContentType("text/html; format=flowed", false).rawParams, [
      { name: "format", value: "flowed" },
      { name: "charset", value: "us-ascii" },
    ]);
  });

  it("treats invalid values as the default, keeping a usable charset, and skips comments", () => {
    assert.equal(parseContentType("text", false).subtype, "plain");
    assert.equal(parseContentType("image/", false).type, "text");
    assert.equal(parseContentType("; charset=koi8-r", false).params.charset, "koi8-r");
    assert.equal(parseContentType("text/plain (body text); charset=utf-8", false).subtype, "plain");
  });
});

describe("parseDisposition and parseLanguage", () => {
  it("parses RFC 2183 dispositions and RFC 3282 language lists", () => {
    assert.equal(parseDisposition('ATTACHMENT; filename="a.txt"')?.type, "attachment");
    assert.equal(parseDisposition("   "), null);
    assert.deepEqual(parseLanguage("en-GB, de (German)"), ["en-GB", "de"]);
    assert.equal(parseLanguage(" "), null);
  });
});

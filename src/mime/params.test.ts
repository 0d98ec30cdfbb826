import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseParameterizedValue } from "./params.js";

describe("parseParameterizedValue (RFC 2045 §5.1, RFC 2231)", () => {
  it("reads tokens and quoted strings with escapes", () => {
    const parsed = parseParameterizedValue('text/plain; charset="utf-8"; name="a \\"b\\"; c"; format=flowed');
    assert.equal(parsed.value, "text/plain");
    assert.deepEqual(parsed.params, { charset: "utf-8", name: 'a "b"; c', format: "flowed" });
  });

  it("joins continuations in section order, keeping quoted spaces", () => {
    const parsed = parseParameterizedValue(
      'attachment; filename*1=" two"; filename*0="one"; filename*2=.txt',
    );
    assert.equal(parsed.params.filename, "one two.txt");
    assert.deepEqual(parsed.rawParams, [{ name: "filename", value: "one two.txt" }]);
  });

  it("decodes charset and percent escapes, keeping the raw form for BODYSTRUCTURE", () => {
    const parsed = parseParameterizedValue("attachment; filename*=iso-8859-1'de'M%FCller%20Akte.pdf");
    assert.equal(parsed.params.filename, "Müller Akte.pdf");
    assert.deepEqual(parsed.rawParams, [{ name: "filename*", value: "iso-8859-1'de'M%FCller%20Akte.pdf" }]);
    const mixed = parseParameterizedValue("x; name*0*=utf-8''%E2%82; name*1*=%AC; name*2=\" rate\"");
    assert.equal(mixed.params.name, "€ rate");
  });

  it("decodes RFC 2047 words that broken mailers put in parameters", () => {
    assert.equal(parseParameterizedValue('a; name="=?utf-8?B?w6kudHh0?="').params.name, "é.txt");
  });

  it("is tolerant: missing values, stray semicolons, unterminated quotes, case-insensitive names", () => {
    const parsed = parseParameterizedValue(
      'multipart/mixed;; foo; BOUNDARY="abc; =def" ; x=; y="unterminated',
    );
    assert.equal(parsed.params.boundary, "abc; =def");
    assert.equal(parsed.params.y, "unterminated");
    assert.equal(parsed.params.x, undefined);
    assert.equal(parsed.params.foo, undefined);
    assert.equal(parseParameterizedValue("").value, "");
    const hostile = parseParameterizedValue("a; __proto__=x").params;
    assert.equal(Object.getOwnPropertyDescriptor(hostile, "__proto__")?.value, "x");
    assert.equal(Object.getPrototypeOf(hostile), Object.prototype);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeBase64, decodeQuotedPrintable, decodeTransferEncoding } from "./transfer-encoding.js";

const decode = (text: string, encoding: string) =>
  Buffer.from(decodeTransferEncoding(Buffer.from(text, "latin1"), encoding)).toString("latin1");

describe("decodeTransferEncoding (RFC 2045 §6)", () => {
  it("decodes base64 with line breaks, junk and missing padding", () => {
    assert.equal(decode("SGVs\r\nbG8g\r\nd29y\r\nbGQ=\r\n", "base64"), "Hello world");
    assert.equal(decode("SGVsbG8!!*gd29ybGQ", "BASE64"), "Hello world");
    assert.equal(decode("SGk=SGk=", "base64"), "HiHi");
    assert.equal(decode("S", "base64"), "");
  });

  it("decodes quoted-printable soft breaks, escapes and broken escapes", () => {
    assert.equal(decode("caf=C3=A9 =\r\nsoft=\nbreak", "quoted-printable"), "caf\xc3\xa9 softbreak");
    assert.equal(decode("trailing   \r\nspace", "quoted-printable"), "trailing\r\nspace");
    assert.equal(decode("=ZZ =4 x=", "quoted-printable"), "=ZZ =4 x");
    assert.equal(decode("lower=c3=a9", "quoted-printable"), "lower\xc3\xa9");
  });

  it("passes 7bit, 8bit, binary and unknown encodings through", () => {
    for (const encoding of ["7bit", "8bit", "binary", "x-uuencode", ""])
      assert.equal(decode("=41 \xff", encoding), "=41 \xff");
  });

  it("decodes base64 the same at every line-split point", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(400), (bytes, split) => {
        const encoded = Buffer.from(bytes).toString("base64");
        const at = split % (encoded.length + 1);
        const wrapped = `${encoded.slice(0, at)}\r\n${encoded.slice(at)}`;
        assert.deepEqual(Buffer.from(decodeBase64(Buffer.from(wrapped))), Buffer.from(bytes));
      }),
    );
  });

  it("round-trips quoted-printable of any bytes, soft-broken at every point", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(400), (bytes, split) => {
        const encoded = Array.from(bytes, (b) => `=${b.toString(16).padStart(2, "0").toUpperCase()}`).join(
          "",
        );
        const at = split % (encoded.length + 1);
        const wrapped = `${encoded.slice(0, at)}=\r\n${encoded.slice(at)}`;
        const decoded = Buffer.from(decodeQuotedPrintable(Buffer.from(wrapped)));
        // A soft break inside an escape splits it; outside one, the bytes must come back exactly.
        if (!/=[0-9A-F]?$/.test(encoded.slice(0, at))) assert.deepEqual(decoded, Buffer.from(bytes));
      }),
    );
  });
});

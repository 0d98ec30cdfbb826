// Round trips of the message writer through the MIME parsers the index uses: encoded-words decode to the
// text written, quoted-printable and base64 decode to the bytes written, folded header fields unfold to
// the value written and keep every line within 998 octets, and Dates keep the client's offset.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeEncodedWords } from "../mime/encoded-word.js";
import { decodeBase64, decodeQuotedPrintable } from "../mime/transfer-encoding.js";
import {
  encodeBase64Lines,
  encodePhrase,
  encodeQuotedPrintable,
  encodeText,
  formatAddressList,
  formatRfc5322Date,
  writeField,
} from "./message-writer.js";

const lines = (text: string) => text.split("\r\n").filter((line) => line !== "");

describe("message writer", () => {
  it("encodeText: decodes back to the text, ASCII header, words of at most 75 characters", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (text) => {
        const clean = text.replace(/[\r\n]+/g, " ");
        const encoded = encodeText(clean);
        assert.equal(decodeEncodedWords(encoded), clean);
        if (encoded !== clean) {
          assert.match(encoded, /^[\x20-\x7e]*$/);
          for (const word of encoded.split(" ")) assert.ok(word.length <= 75, word);
        }
      }),
    );
  });

  it("encodePhrase: quotes specials and encodes non-ASCII names", () => {
    assert.equal(encodePhrase("Alice Smith"), "Alice Smith");
    assert.equal(encodePhrase('Bob, "the" builder'), '"Bob, \\"the\\" builder"');
    assert.equal(decodeEncodedWords(encodePhrase("Jürgen Müller")), "Jürgen Müller");
  });

  it("quoted-printable: decodes back to the bytes, lines of at most 76 characters", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 500 }), (text) => {
        const bytes = Buffer.from(text.replace(/\r\n|\r|\n/g, "\r\n"), "utf8");
        const encoded = encodeQuotedPrintable(bytes);
        assert.ok(
          encoded.split("\r\n").every((line) => line.length <= 76),
          encoded,
        );
        assert.deepEqual(Buffer.from(decodeQuotedPrintable(Buffer.from(encoded, "latin1"))), bytes);
      }),
    );
  });

  it("base64: decodes back to the bytes, lines of 76 characters", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const encoded = encodeBase64Lines(bytes);
        assert.ok(encoded.split("\r\n").every((line) => line.length <= 76));
        assert.deepEqual(Buffer.from(decodeBase64(Buffer.from(encoded, "latin1"))), Buffer.from(bytes));
      }),
    );
  });

  it("folds long fields at spaces and unfolds to the same value", () => {
    const addresses = Array.from({ length: 30 }, (_, i) => ({
      name: `Person ${i}`,
      email: `p${i}@example.test`,
    }));
    const value = formatAddressList(addresses);
    const written = writeField({ name: "To", value, isRaw: false });
    for (const line of lines(written)) assert.ok(Buffer.byteLength(line) <= 78, line);
    assert.equal(written.replace(/\r\n(?=[ \t])/g, "").replace(/\r\n$/, ""), `To: ${value}`);
  });

  it("refuses a word too long for one line", () => {
    assert.throws(() => writeField({ name: "X-Long", value: "x".repeat(1000), isRaw: false }), /998/);
  });

  it("writes Dates in the client's offset", () => {
    assert.equal(formatRfc5322Date("2018-07-10T11:03:11+10:00"), "Tue, 10 Jul 2018 11:03:11 +1000");
    assert.equal(formatRfc5322Date("2026-03-01T10:20:30-05:30"), "Sun, 01 Mar 2026 10:20:30 -0530");
    assert.equal(formatRfc5322Date("2026-03-01T10:20:30Z"), "Sun, 01 Mar 2026 10:20:30 +0000");
    assert.equal(formatRfc5322Date("yesterday"), null);
    assert.equal(formatRfc5322Date("2026-02-30T10:00:00Z"), null);
  });
});

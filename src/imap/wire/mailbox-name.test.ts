import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  decodeMailboxName,
  decodeModifiedUtf7,
  encodeModifiedUtf7,
  MailboxNameError,
} from "./mailbox-name.js";

describe("modified UTF-7", () => {
  const vectors: [string, string][] = [
    ["INBOX", "INBOX"],
    ["Entwürfe", "Entw&APw-rfe"],
    ["台北", "&U,BTFw-"],
    ["a&b", "a&-b"],
    ["~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"],
    ["😀", "&2D3eAA-"],
    ["", ""],
  ];
  for (const [plain, encoded] of vectors) {
    it(`${JSON.stringify(plain)} ↔ ${encoded}`, () => {
      assert.equal(encodeModifiedUtf7(plain), encoded);
      assert.equal(decodeModifiedUtf7(encoded), plain);
    });
  }

  it("round-trips arbitrary Unicode strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (name) => {
        assert.equal(decodeModifiedUtf7(encodeModifiedUtf7(name)), name);
      }),
      { numRuns: 500 },
    );
  });

  const invalid: [string, string][] = [
    ["unterminated shift", "&U,BTFw"],
    ["bad base64 character", "&U/BTFw-"],
    ["encoded printable ASCII", "&AGE-"],
    ["odd byte count", "&AP-"],
    ["lone surrogate", "&2D0-"],
    ["raw 8-bit", "Entwürfe"],
    ["non-zero padding bits", "&APx-"],
  ];
  for (const [name, encoded] of invalid) {
    it(`rejects ${name} with a clear error`, () => {
      assert.throws(() => decodeModifiedUtf7(encoded), MailboxNameError);
    });
  }

  it("accepts raw UTF-8 only with UTF8=ACCEPT, and normalizes INBOX", () => {
    const raw = new TextEncoder().encode("Entwürfe");
    assert.equal(decodeMailboxName(raw, true), "Entwürfe");
    assert.throws(() => decodeMailboxName(raw, false), MailboxNameError);
    assert.throws(() => decodeMailboxName(Uint8Array.of(0xc3), true), MailboxNameError);
    assert.equal(decodeMailboxName(new TextEncoder().encode("iNbOx"), false), "INBOX");
  });
});

// sieveMessageFromBytes: what the interpreter reads of a raw message — header values by name (unfolded, in
// order, undecoded), the raw body, and the text of every leaf part (nested messages included).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sieveMessageFromBytes } from "./message.js";

const RAW = [
  "Received: from a by b; Tue, 1 Apr 1997 09:06:31 -0800",
  "Received: from c",
  " by d; Tue, 1 Apr 1997 09:05:31 -0800",
  "Subject: =?ISO-8859-1?Q?Caf=E9?=",
  "MIME-Version: 1.0",
  'Content-Type: multipart/mixed; boundary="outer"',
  "",
  "preamble",
  "--outer",
  "Content-Type: text/plain; charset=iso-8859-1",
  "Content-Transfer-Encoding: quoted-printable",
  "",
  "caf=E9",
  "--outer",
  "Content-Type: message/rfc822",
  "",
  "Subject: inner",
  "Content-Type: text/html",
  "",
  "<p>inner <b>text</b></p>",
  "--outer",
  "Content-Type: image/png",
  "Content-Transfer-Encoding: base64",
  "",
  "iVBORw0KGgo=",
  "--outer--",
  "",
].join("\r\n");

describe("sieveMessageFromBytes", () => {
  const message = sieveMessageFromBytes(Buffer.from(RAW, "latin1"));

  it("reads header values case-insensitively, unfolded, in order, encoded words kept", () => {
    assert.deepEqual(message.headerValues("RECEIVED"), [
      "from a by b; Tue, 1 Apr 1997 09:06:31 -0800",
      "from c by d; Tue, 1 Apr 1997 09:05:31 -0800",
    ]);
    assert.deepEqual(message.headerValues("subject"), ["=?ISO-8859-1?Q?Caf=E9?="]);
    assert.deepEqual(message.headerValues("x-missing"), []);
  });

  it("knows its size and raw body", () => {
    assert.equal(message.size, Buffer.byteLength(RAW, "latin1"));
    assert.ok(message.rawBody().startsWith("preamble\r\n--outer\r\n"));
  });

  it("decodes every leaf part, into nested messages, in document order", () => {
    assert.deepEqual(
      message.bodyParts().map((p) => [p.contentType, p.text.trim()]),
      [
        ["text/plain", "café"],
        ["text/html", "inner text"],
        ["image/png", ""],
      ],
    );
  });

  it("a message without a body or header still works", () => {
    const empty = sieveMessageFromBytes(new Uint8Array());
    assert.equal(empty.size, 0);
    assert.deepEqual(empty.headerValues("from"), []);
    assert.equal(empty.rawBody(), "");
    assert.deepEqual(
      empty.bodyParts().map((p) => p.contentType),
      ["text/plain"],
    );
  });
});

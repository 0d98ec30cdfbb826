import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { selectHeaderFields } from "./select-header-fields.js";

const header = Buffer.from(
  "Received: from a\r\n\tby b\r\nFrom: A <a@x>\r\nSUBJECT: folded\r\n subject\r\nTo: b@x\r\nSubject: again\r\n\r\n",
);
const select = (names: string[], exclude: boolean) =>
  Buffer.from(selectHeaderFields(header, names, exclude)).toString("latin1");

describe("selectHeaderFields (RFC 9051 §6.4.5 HEADER.FIELDS)", () => {
  it("keeps the original bytes of every matching field, case-insensitively, then the blank line", () => {
    assert.equal(select(["subject"], false), "SUBJECT: folded\r\n subject\r\nSubject: again\r\n\r\n");
    assert.equal(select(["FROM", "to"], false), "From: A <a@x>\r\nTo: b@x\r\n\r\n");
  });

  it("excludes with HEADER.FIELDS.NOT", () => {
    assert.equal(select(["received", "subject"], true), "From: A <a@x>\r\nTo: b@x\r\n\r\n");
  });

  it("returns just the blank line when nothing matches, and terminates an unterminated last field", () => {
    assert.equal(select(["x-none"], false), "\r\n");
    assert.equal(
      Buffer.from(selectHeaderFields(Buffer.from("A: 1\r\nB: 2"), ["b"], false)).toString(),
      "B: 2\r\n\r\n",
    );
    assert.equal(Buffer.from(selectHeaderFields(new Uint8Array(0), ["b"], true)).toString(), "\r\n");
  });

  it("works on LF-only headers", () => {
    assert.equal(
      Buffer.from(selectHeaderFields(Buffer.from("A: 1\nB: 2\n c\n\n"), ["b"], false)).toString(),
      "B: 2\n c\n\r\n",
    );
  });
});

// Hostile and broken messages (the attack class "malformed MIME"): indexMessage never throws, stays linear,
// caps nesting, and still reports a sound part tree with correct offsets.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findSectionPart, sectionRange } from "../section-range.js";
import { assertIndexSound } from "./imap-syntax.test-util.js";
import { indexMessage } from "./index-message.js";
import { MAX_MIME_DEPTH } from "./structure.js";

const crlf = (text: string): Buffer => Buffer.from(text.replace(/\n/g, "\r\n"), "utf8");
const text = (raw: Buffer, range: { start: number; end: number } | null): string =>
  range === null ? "<none>" : raw.toString("latin1", range.start, range.end);

describe("indexMessage on hostile input", () => {
  it("handles empty input", () => {
    const index = indexMessage(new Uint8Array(0));
    assertIndexSound(index);
    assert.equal(index.envelope, "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
    assert.equal(
      index.bodyStructure,
      '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)',
    );
    assert.equal(index.size, 0);
  });

  it("handles a body without any header", () => {
    const raw = crlf("\nJust a body.\n");
    const index = indexMessage(raw);
    assertIndexSound(index);
    assert.equal(index.root.bodyStart, 2);
    assert.equal(index.preview, "Just a body.");
  });

  it("treats input without a blank line as all header", () => {
    const raw = crlf("Subject: x\nnot a header line");
    const index = indexMessage(raw);
    assertIndexSound(index);
    assert.equal(index.root.bodyStart, raw.length);
    assert.equal(index.headers.subject, "x");
  });

  it("keeps a part whose header has no body", () => {
    const raw = crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/html\n--b--\n");
    const index = indexMessage(raw);
    assertIndexSound(index);
    const part = index.root.children[0];
    assert.equal(part?.subtype, "html");
    assert.equal(part?.bodyStart, part?.bodyEnd);
  });

  it("ends an unclosed multipart at the end of the message", () => {
    const raw = crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\n\ntwo, never closed");
    const index = indexMessage(raw);
    assertIndexSound(index);
    assert.equal(index.root.children.length, 2);
    assert.equal(text(raw, sectionRange(index.root, [2], "content")), "two, never closed");
  });

  it("renders a multipart whose boundary never appears with an empty text child", () => {
    const raw = crlf("Content-Type: multipart/mixed; boundary=absent\n\nno delimiters here\n");
    const index = indexMessage(raw);
    assertIndexSound(index);
    assert.equal(index.root.children.length, 0);
    assert.match(index.bodyStructure, /^\(\("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 0 0 /);
  });

  it("keeps offsets right with LF-only line endings", () => {
    const raw = Buffer.from(
      "Subject: lf\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nabc\n--b\n\ndef\n--b--\n",
    );
    const index = indexMessage(raw);
    assertIndexSound(index);
    assert.equal(text(raw, sectionRange(index.root, [1], "content")), "abc");
    assert.equal(text(raw, sectionRange(index.root, [1], "MIME")), "Content-Type: text/plain\n\n");
    assert.equal(text(raw, sectionRange(index.root, [2], "content")), "def");
    assert.equal(
      text(raw, sectionRange(index.root, [], "HEADER")),
      "Subject: lf\nContent-Type: multipart/mixed; boundary=b\n\n",
    );
  });

  it("survives 8-bit junk and NUL bytes in headers and bodies", () => {
    const raw = Buffer.concat([
      Buffer.from(
        "Subject: \xff\xfe\0junk\r\nFrom: \0 <\xe9@\xe9>\r\nContent-Type: text/plain; charset=\0\xff\r\n\r\n",
        "latin1",
      ),
      Buffer.from([0, 0xff, 0x80, 0x0d, 0x0d, 0x0a, 0]),
    ]);
    const index = indexMessage(raw);
    assertIndexSound(index);
    assert.ok(!index.envelope.includes("\0"));
  });

  it("caps 1000 nested multiparts without a stack overflow", () => {
    let raw = "";
    for (let i = 0; i < 1000; i++) raw += `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`;
    raw += "\r\nleaf\r\n";
    const index = indexMessage(Buffer.from(raw));
    assertIndexSound(index);
    let depth = 0;
    for (let part = index.root; part.children[0] !== undefined; part = part.children[0]) depth++;
    assert.equal(depth, MAX_MIME_DEPTH);
  });

  it("caps 1000 nested message/rfc822 parts", () => {
    let raw = "";
    for (let i = 0; i < 1000; i++) raw += `Subject: level ${i}\r\nContent-Type: message/rfc822\r\n\r\n`;
    raw += "leaf\r\n";
    const index = indexMessage(Buffer.from(raw));
    assertIndexSound(index);
    assert.ok(findSectionPart(index.root, [1, 1, 1, 1]) !== null);
  });

  it("indexes a 50 MB single-line body quickly", () => {
    const raw = Buffer.alloc(50 * 1024 * 1024, 0x61);
    Buffer.from("Subject: big\r\n\r\n").copy(raw);
    const started = performance.now();
    const index = indexMessage(raw);
    const elapsedMs = performance.now() - started;
    assertIndexSound(index);
    assert.ok(elapsedMs < 3000, `took ${elapsedMs} ms`);
    assert.ok(index.searchText.length <= 1024 * 1024);
    assert.equal(index.root.lines, 0);
  });

  it("does not slow down on a long line full of boundary look-alikes and encoded-word starts", () => {
    const noise = "--b=?utf-8?q?".repeat(200_000);
    const raw = Buffer.from(
      `Content-Type: multipart/mixed; boundary=b\r\nSubject: ${noise}\r\n\r\n${noise}\r\n--b--\r\n`,
    );
    const started = performance.now();
    const index = indexMessage(raw);
    assertIndexSound(index);
    assert.ok(performance.now() - started < 3000);
  });

  it("caps the number of parts", () => {
    const raw = Buffer.from(
      `Content-Type: multipart/mixed; boundary=b\r\n\r\n${"--b\r\n".repeat(50_000)}--b--\r\n`,
    );
    const index = indexMessage(raw);
    assertIndexSound(index);
    assert.ok(index.root.children.length <= 10_000);
  });

  it('handles a missing header, broken Content-Type and boundary=""', () => {
    for (const contentType of [
      'multipart/mixed; boundary=""',
      "multipart/",
      "/",
      ";;;",
      'text/plain; charset="unterminated',
    ]) {
      const index = indexMessage(crlf(`Content-Type: ${contentType}\n\nbody\n`));
      assertIndexSound(index);
    }
  });
});

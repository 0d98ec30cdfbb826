// Test helpers: checks that a rendered ENVELOPE/BODYSTRUCTURE is one well-formed IMAP parenthesized list
// (RFC 9051 §4: quoted strings, literals with exact UTF-8 octet counts, atoms) and part-offset invariants.

import assert from "node:assert/strict";
import type { MessageIndex, PartNode } from "../message-index.js";

/** Throws unless `text` is exactly one balanced IMAP list with valid quoted strings and literals. */
export function assertWellFormedImapList(text: string): void {
  const bytes = Buffer.from(text, "utf8");
  let pos = 0;
  let depth = 0;
  let lists = 0;
  while (pos < bytes.length) {
    const c = bytes[pos] as number;
    if (c === 0x28) {
      if (depth === 0) lists++;
      depth++;
      pos++;
    } else if (c === 0x29) {
      depth--;
      assert.ok(depth >= 0, `unbalanced ) at ${pos}`);
      pos++;
    } else if (c === 0x20) {
      pos++;
    } else if (c === 0x22) {
      pos++;
      while (bytes[pos] !== 0x22) {
        assert.ok(pos < bytes.length, "unterminated quoted string");
        const q = bytes[pos] as number;
        assert.ok(q !== 0x0d && q !== 0x0a && q !== 0 && q < 0x80, `bad char ${q} in quoted string`);
        pos += q === 0x5c ? 2 : 1;
      }
      pos++;
    } else if (c === 0x7b) {
      const close = bytes.indexOf(0x7d, pos);
      assert.ok(close > pos, "unterminated literal length");
      const size = Number(bytes.toString("latin1", pos + 1, close));
      assert.ok(Number.isInteger(size) && size >= 0, "bad literal size");
      assert.equal(bytes.toString("latin1", close + 1, close + 3), "\r\n", "literal without CRLF");
      pos = close + 3 + size;
      assert.ok(pos <= bytes.length, "literal runs past the end");
    } else {
      const start = pos;
      while (pos < bytes.length && ![0x20, 0x28, 0x29].includes(bytes[pos] as number)) pos++;
      const atom = bytes.toString("latin1", start, pos);
      assert.ok(atom === "NIL" || /^\d+$/.test(atom), `unexpected atom ${JSON.stringify(atom)}`);
    }
  }
  assert.equal(depth, 0, "unbalanced (");
  assert.equal(lists, 1, "expected exactly one top-level list");
}

/** Checks the PartNode offset invariants of MessageIndex for every part (iteratively: trees can be deep). */
export function assertPartOffsets(index: MessageIndex): void {
  const stack: { part: PartNode; min: number; max: number }[] = [
    { part: index.root, min: 0, max: index.size },
  ];
  while (stack.length > 0) {
    const { part, min, max } = stack.pop() as { part: PartNode; min: number; max: number };
    assert.ok(min <= part.headerStart, "part starts before its parent's body");
    assert.ok(part.headerStart <= part.bodyStart, "header after body");
    assert.ok(part.bodyStart <= part.bodyEnd, "body ends before it starts");
    assert.ok(part.bodyEnd <= max, "part ends after its parent");
    let previousEnd = part.bodyStart;
    for (const child of part.children) {
      assert.ok(child.headerStart >= previousEnd, "children out of order or overlapping");
      previousEnd = child.bodyEnd;
      stack.push({ part: child, min: part.bodyStart, max: part.bodyEnd });
    }
    if (part.message !== null) stack.push({ part: part.message, min: part.bodyStart, max: part.bodyEnd });
  }
}

/** Every structural check at once. */
export function assertIndexSound(index: MessageIndex): void {
  assertPartOffsets(index);
  assertWellFormedImapList(index.bodyStructure);
  assertWellFormedImapList(index.body);
  assertWellFormedImapList(index.envelope);
  assert.ok(index.preview.length <= 256);
}

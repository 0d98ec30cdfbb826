import assert from "node:assert/strict";
import { test } from "node:test";
import { type LineEvent, LineReader } from "./line-reader.js";

function readAll(reader: LineReader): string[] {
  const lines: string[] = [];
  for (let event: LineEvent | null = reader.next(); event !== null; event = reader.next()) {
    lines.push(event.kind === "line" ? event.bytes.toString("latin1") : "<tooLong>");
  }
  return lines;
}

test("lines split at every byte come out the same; CRLF and bare LF both end a line", () => {
  const input = Buffer.from("USER a\r\nPASS b c\nSTAT\r\n\r\nLIST 1\r\n");
  const expected = ["USER a", "PASS b c", "STAT", "", "LIST 1"];
  for (let split = 0; split <= input.length; split++) {
    const reader = new LineReader(100);
    reader.feed(input.subarray(0, split));
    const lines = readAll(reader);
    reader.feed(input.subarray(split));
    assert.deepEqual([...lines, ...readAll(reader)], expected, `split at ${split}`);
  }
});

test("a line longer than the limit is reported once and not buffered", () => {
  const reader = new LineReader(10);
  reader.feed(Buffer.from("0123456789ABC"));
  assert.deepEqual(reader.next(), { kind: "tooLong" });
  assert.equal(reader.bufferedBytes, 0);
  reader.feed(Buffer.from("short\r\n"));
  assert.equal(reader.next()?.kind, "line");
});

test("discard drops pipelined lines (STLS)", () => {
  const reader = new LineReader(100);
  reader.feed(Buffer.from("STLS\r\nUSER evil\r\n"));
  assert.equal(reader.next()?.kind, "line");
  assert.equal(reader.hasLine, true);
  reader.discard();
  assert.equal(reader.hasLine, false);
  assert.equal(reader.next(), null);
});

test("peekLines shows the complete pipelined lines without consuming them", () => {
  const reader = new LineReader(100);
  reader.feed(Buffer.from("RETR 1\r\nRETR 2\nRETR 3\r\nRET"));
  assert.deepEqual(reader.next(), { kind: "line", bytes: Buffer.from("RETR 1") });
  assert.deepEqual(
    reader.peekLines(5).map((line) => line.toString("latin1")),
    ["RETR 2", "RETR 3"],
  );
  assert.deepEqual(
    reader.peekLines(1).map((line) => line.toString("latin1")),
    ["RETR 2"],
  );
  reader.feed(Buffer.from("R 4\r\n"));
  assert.deepEqual(readAll(reader), ["RETR 2", "RETR 3", "RETR 4"]);
  assert.deepEqual(reader.peekLines(5), []);
});

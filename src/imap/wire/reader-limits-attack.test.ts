// Attacks on the reader's bounds: each test is named after the attack it fends off.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bytesOf, collectEvents, splits } from "./reader-test-support.js";

const limits = {
  maxLineBytes: 100,
  maxLiteralBytes: 50,
  maxCommandBytes: 400,
  maxNesting: 5,
  maxArguments: 20,
};

function eventsAtEverySplit(input: Uint8Array) {
  const expected = collectEvents([input], limits);
  for (const pieces of splits(input)) assert.deepEqual(collectEvents(pieces, limits), expected);
  return expected;
}

describe("reader attacks", () => {
  it("oversized line without CRLF is fatal before it is buffered past the limit", () => {
    const events = eventsAtEverySplit(bytesOf(`a NOOP ${"x".repeat(200)}`));
    assert.deepEqual(events, [{ kind: "fatal", tag: "a", reason: "lineTooLong" }]);
  });

  it("oversized line with CRLF is fatal and later input is ignored", () => {
    const events = eventsAtEverySplit(bytesOf(`a NOOP ${"x".repeat(95)}\r\nb NOOP\r\n`));
    assert.deepEqual(events, [{ kind: "fatal", tag: "a", reason: "lineTooLong" }]);
  });

  it("a line of exactly maxLineBytes is accepted", () => {
    const events = eventsAtEverySplit(bytesOf(`a LOGIN u ${"x".repeat(90)}\r\n`));
    assert.equal(events[0]?.kind, "command");
  });

  it("huge synchronizing literal announcement is refused without waiting for bytes", () => {
    const events = eventsAtEverySplit(bytesOf("a LOGIN {99999999999999999999}\r\nb NOOP\r\n"));
    assert.deepEqual(events, [
      { kind: "literalTooLarge", tag: "a", command: "LOGIN", size: Number.POSITIVE_INFINITY, sync: true },
      { kind: "command", command: { tag: "b", name: "noop" } },
    ]);
  });

  it("huge non-synchronizing literal announcement is fatal (cannot be skipped)", () => {
    const events = eventsAtEverySplit(bytesOf("a LOGIN {99999999999999999999+}\r\nxxxx"));
    assert.deepEqual(events, [{ kind: "fatal", tag: "a", reason: "commandTooLarge" }]);
  });

  it("literal over maxLiteralBytes: non-synchronizing bytes are skipped, not parsed as commands", () => {
    const smuggled = `b LOGOUT\r\n${"y".repeat(50)}`;
    const events = eventsAtEverySplit(bytesOf(`a LOGIN {60+}\r\n${smuggled} pw\r\nc NOOP\r\n`));
    assert.deepEqual(events, [
      { kind: "literalTooLarge", tag: "a", command: "LOGIN", size: 60, sync: false },
      { kind: "command", command: { tag: "c", name: "noop" } },
    ]);
  });

  it("many small literals cannot exceed maxCommandBytes", () => {
    const input = `a ID (${Array.from({ length: 12 }, () => `{40+}\r\n${"k".repeat(40)} NIL`).join(" ")})\r\nb NOOP\r\n`;
    const events = eventsAtEverySplit(bytesOf(input));
    assert.ok(events.some((e) => e.kind === "literalTooLarge" || e.kind === "fatal"));
    assert.ok(!events.some((e) => e.kind === "command" && e.command.tag === "a"));
  });

  it("deep nesting of lists is a syntax error", () => {
    const events = eventsAtEverySplit(bytesOf("a SEARCH ((((((((SEEN))))))))\r\n"));
    assert.deepEqual(events, [{ kind: "syntaxError", tag: "a", text: "Lists nested too deeply" }]);
  });

  it("deep nesting of NOT is a syntax error, not a stack overflow", () => {
    const events = eventsAtEverySplit(bytesOf(`a SEARCH ${"NOT ".repeat(20)}SEEN\r\n`));
    assert.deepEqual(events, [{ kind: "syntaxError", tag: "a", text: "Search keys nested too deeply" }]);
  });

  it("many arguments is a syntax error", () => {
    const events = eventsAtEverySplit(bytesOf(`a ENABLE ${"X ".repeat(25)}Y\r\n`));
    assert.deepEqual(events, [{ kind: "syntaxError", tag: "a", text: "Too many arguments" }]);
  });

  it("NUL in an atom is a syntax error", () => {
    const events = eventsAtEverySplit(bytesOf("a LOGIN al\0ice pw\r\n"));
    assert.equal(events[0]?.kind, "syntaxError");
  });

  it("NUL in a quoted string or a plain literal is a syntax error", () => {
    assert.equal(eventsAtEverySplit(bytesOf('a LOGIN "a\0" pw\r\n'))[0]?.kind, "syntaxError");
    const literal = eventsAtEverySplit(bytesOf("a LOGIN {2+}\r\na\0 pw\r\n"));
    assert.deepEqual(literal.at(-1), {
      kind: "syntaxError",
      tag: "a",
      text: "NUL byte not allowed in a literal (use literal8)",
    });
  });

  it("CR without LF does not end a line (no command injection) and is a syntax error", () => {
    const events = eventsAtEverySplit(bytesOf("a LOGIN alice pw\rb LOGOUT\r\n"));
    assert.deepEqual(events, [{ kind: "syntaxError", tag: "a", text: "Bare CR not allowed" }]);
  });

  it("a literal announcement inside a quoted string is not a literal", () => {
    const events = eventsAtEverySplit(bytesOf('a LOGIN "x {5}\r\nb NOOP\r\n'));
    assert.deepEqual(events, [
      { kind: "syntaxError", tag: "a", text: "Unterminated quoted string" },
      { kind: "command", command: { tag: "b", name: "noop" } },
    ]);
  });
});

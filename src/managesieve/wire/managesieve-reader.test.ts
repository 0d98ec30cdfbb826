// The ManageSieve reader fed whole and split at every byte: quoted strings with escapes, literals {n+}
// and {n}, numbers, several pipelined commands, syntax errors that skip only their line, an over-limit
// literal skipped unseen, and a line without end past the limit.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManageSieveReader, type ReaderEvent } from "./managesieve-reader.js";

const LIMITS = { maxLineBytes: 200, maxLiteralBytes: 64 };

/** Every event until "need more", feeding `input` in pieces cut at `cuts`. */
function readAll(input: string, cuts: readonly number[] = []): ReaderEvent[] {
  const reader = new ManageSieveReader(LIMITS);
  const bytes = Buffer.from(input, "utf8");
  const events: ReaderEvent[] = [];
  let start = 0;
  for (const end of [...cuts, bytes.length]) {
    reader.feed(bytes.subarray(start, end));
    start = end;
    for (let event = reader.next(); event.kind !== "needMore"; event = reader.next()) {
      events.push(event);
      // The session closes after tooLong; the reader keeps saying it.
      if (event.kind === "tooLong") return events;
    }
  }
  return events;
}

const simplify = (events: readonly ReaderEvent[]) =>
  events.map((e) =>
    e.kind === "command"
      ? [e.name, ...e.args.map((a) => (a.kind === "string" ? a.value.toString("utf8") : a.value))]
      : [e.kind],
  );

describe("ManageSieveReader", () => {
  const input =
    'putscript "my \\"script\\"" {12+}\r\nkeep;\r\nstop;\r\nHAVESPACE "x" 1024\r\nCHECKSCRIPT {5}\r\nkeep;\r\nBAD "unterminated\r\nNOOP\r\n';
  const expected = [
    ["PUTSCRIPT", 'my "script"', "keep;\r\nstop;"],
    ["HAVESPACE", "x", 1024],
    ["CHECKSCRIPT", "keep;"],
    ["syntaxError"],
    ["NOOP"],
  ];

  it("reads strings, literals, numbers and pipelined commands", () => {
    assert.deepEqual(simplify(readAll(input)), expected);
  });

  it("gives the same commands at every split point", () => {
    for (let cut = 1; cut < Buffer.byteLength(input); cut++) {
      assert.deepEqual(simplify(readAll(input, [cut])), expected, `split at ${cut}`);
    }
  });

  it("skips a literal over the limit without reading its bytes as commands", () => {
    const body = "LOGOUT\r\n".repeat(10);
    const text = `PUTSCRIPT "big" {${body.length}+}\r\n${body}\r\nNOOP\r\n`;
    for (const cuts of [[], [20], [30, 60]]) {
      assert.deepEqual(simplify(readAll(text, cuts)), [["literalTooBig"], ["NOOP"]], `cuts ${cuts}`);
    }
  });

  it("reports a line without end past the limit", () => {
    assert.deepEqual(simplify(readAll(`NOOP "${"x".repeat(300)}`)), [["tooLong"]]);
  });

  it("reads an AUTHENTICATE response line of bare strings", () => {
    const reader = new ManageSieveReader(LIMITS);
    reader.feed(Buffer.from('"dGVzdA=="\r\n'));
    const event = reader.nextResponse();
    assert.equal(event.kind, "response");
    assert.equal(
      event.kind === "response" && event.args[0]?.kind === "string" && event.args[0].value.toString(),
      "dGVzdA==",
    );
  });
});

// REPLACE and UID REPLACE grammar (RFC 8508 §6) at every split point of the input: the message literal is
// streamed like APPEND's (its head announced first), and the command arrives after it without the bytes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CollectedEvent } from "../reader-test-support.js";
import { bytesOf, collectEvents, splits } from "../reader-test-support.js";

/** The events of `input`, checked to be the same however the input is cut. */
function eventsOf(input: string): CollectedEvent[] {
  let first: CollectedEvent[] | null = null;
  for (const pieces of splits(bytesOf(input))) {
    const events = collectEvents(pieces);
    if (first === null) first = events;
    else assert.deepEqual(events, first, `split into ${pieces.map((p) => p.length).join("+")}`);
  }
  return first ?? [];
}

const noDate = { internalDate: null };

describe("REPLACE grammar", () => {
  it("streams the message and reads the number, mailbox, flags and date", () => {
    const events = eventsOf(
      'r REPLACE 4 Drafts (\\Seen \\Draft) " 7-Feb-1994 21:52:25 -0800" {3}\r\nabc\r\n',
    );
    const date = { year: 1994, month: 2, day: 7, hour: 21, minute: 52, second: 25, zoneMinutes: -480 };
    assert.deepEqual(events, [
      {
        kind: "needLiteral",
        tag: "r",
        size: 3,
        sync: true,
        isBinary: false,
        append: {
          mailbox: "Drafts",
          index: 0,
          flags: ["\\Seen", "\\Draft"],
          internalDate: date,
          isUtf8: false,
        },
      },
      { kind: "literalChunk", bytes: [97, 98, 99] },
      { kind: "literalEnd" },
      {
        kind: "command",
        command: {
          tag: "r",
          name: "replace",
          uid: false,
          target: 4,
          mailbox: "Drafts",
          message: {
            flags: ["\\Seen", "\\Draft"],
            internalDate: date,
            isUtf8: false,
            isBinary: false,
            size: 3,
          },
        },
      },
    ]);
  });

  it("reads UID REPLACE with *, a literal8 and the UTF8 form", () => {
    assert.deepEqual(eventsOf("u UID REPLACE * INBOX ~{2+}\r\n\x00z\r\n").at(-1), {
      kind: "command",
      command: {
        tag: "u",
        name: "replace",
        uid: true,
        target: "*",
        mailbox: "INBOX",
        message: { flags: [], ...noDate, isUtf8: false, isBinary: true, size: 2 },
      },
    });
    assert.deepEqual(eventsOf("u uid replace 7 INBOX UTF8 (~{1+}\r\nq)\r\n").at(-1), {
      kind: "command",
      command: {
        tag: "u",
        name: "replace",
        uid: true,
        target: 7,
        mailbox: "INBOX",
        message: { flags: [], ...noDate, isUtf8: true, isBinary: true, size: 1 },
      },
    });
  });

  it("keeps a mailbox sent as a literal in memory and streams only the message", () => {
    const events = eventsOf("r REPLACE 1 {6+}\r\nDrafts {1+}\r\nx\r\n");
    assert.deepEqual(
      events.map((e) => (e.kind === "needLiteral" ? (e.append?.mailbox ?? null) : e.kind)),
      [null, "Drafts", "literalChunk", "literalEnd", "command"],
    );
  });

  it("rejects a zero or missing number, a missing mailbox or message, and a second message", () => {
    for (const input of [
      "r REPLACE 0 INBOX {1+}\r\nx\r\n",
      "r REPLACE INBOX {1+}\r\nx\r\n",
      "r REPLACE 1 {1+}\r\nx\r\n",
      "r REPLACE 1 INBOX\r\n",
      "r REPLACE 1:2 INBOX {1+}\r\nx\r\n",
      "r REPLACE 1 INBOX {1+}\r\nx {1+}\r\ny\r\n",
      "r UID REPLACE x INBOX {1+}\r\nx\r\n",
    ]) {
      const events = eventsOf(input);
      assert.equal(events.filter((e) => e.kind === "command").length, 0, input);
      assert.equal(events.at(-1)?.kind, "syntaxError", input);
      assert.equal((events.at(-1) as { tag: string | null }).tag, "r", input);
    }
  });
});

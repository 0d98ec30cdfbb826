import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { imapCommand } from "./command-arbitrary.js";
import { formatCommand } from "./format-command.js";
import { ImapReader } from "./reader.js";
import { collectEvents } from "./reader-test-support.js";

/** fast-check records have a null prototype; compare plain data (byte arrays as their JSON form). */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe("formatCommand / reader round trip", () => {
  it("parse(format(command)) deep-equals command", () => {
    fc.assert(
      fc.property(imapCommand, (command) => {
        const events = collectEvents([formatCommand(command)]).filter(
          (e) => e.kind === "command" || e.kind === "syntaxError",
        );
        assert.deepEqual(plain(events), [{ kind: "command", command: plain(command) }]);
      }),
      { numRuns: 2000 },
    );
  });

  it("reads a mailbox named with a leading ~ as an atom, not as a literal8 (fast-check found `DELETE ~`)", () => {
    for (const name of ["~", "~x", "~~"]) {
      const events = collectEvents([Buffer.from(`0 DELETE ${name}\r\n`)]).filter(
        (e) => e.kind === "command" || e.kind === "syntaxError",
      );
      assert.deepEqual(events, [{ kind: "command", command: { tag: "0", name: "delete", mailbox: name } }]);
    }
  });

  it("round-trips with UTF-8 mailbox names after UTF8=ACCEPT", () => {
    fc.assert(
      fc.property(
        imapCommand.filter((c) => !JSON.stringify(c).includes("\\u0000")),
        (command) => {
          const reader = new ImapReader();
          reader.setUtf8Accepted(true);
          const events = collectEvents(
            [formatCommand(command, { isUtf8Accepted: true })],
            {},
            undefined,
            reader,
          );
          const final = events.filter((e) => e.kind === "command" || e.kind === "syntaxError");
          assert.deepEqual(plain(final), [{ kind: "command", command: plain(command) }]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("gives the same events at a random split point, with APPEND bodies streamed intact", () => {
    fc.assert(
      fc.property(imapCommand, fc.nat(), (command, cut) => {
        const bytes = formatCommand(command);
        const at = cut % (bytes.length + 1);
        assert.deepEqual(collectEvents([bytes.subarray(0, at), bytes.subarray(at)]), collectEvents([bytes]));
      }),
      { numRuns: 1000 },
    );
  });

  it("never throws on arbitrary bytes, and always ends with a command boundary event", () => {
    const wireish = fc.array(
      fc.oneof(
        fc.uint8Array({ maxLength: 40 }),
        fc
          .constantFrom(
            ...'a LOGIN |{5}\r\n|{3+}\r\n|~{2}\r\n|\r\n|(|)|"|\\|a APPEND INBOX |b FETCH 1 BODY['.split("|"),
          )
          .map((s) => new TextEncoder().encode(s)),
      ),
      { maxLength: 20 },
    );
    fc.assert(
      fc.property(wireish, (pieces) => {
        const reader = new ImapReader({ maxLineBytes: 200, maxLiteralBytes: 50, maxCommandBytes: 1000 });
        for (const piece of pieces) for (const _event of reader.feed(piece));
      }),
      { numRuns: 3000 },
    );
  });
});

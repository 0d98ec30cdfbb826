import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type CommandLiteral, latin1Text } from "./argument-cursor.js";
import type { CommandOf, ImapCommand } from "./command.js";
import { parseCommand, readCommandName, readTag } from "./command-parser.js";

const latin1 = new TextDecoder("latin1");

/** The reader's earlier command-name rule, kept as the reference the byte scanner must match. */
function referenceCommandName(line: Uint8Array): string | null {
  const text = String.fromCharCode(...line.subarray(0, Math.min(line.length, 64)));
  const match = /^[^ ]+ (?:UID )?([A-Za-z]+)(?: |$)/i.exec(text);
  return match?.[1]?.toUpperCase() ?? null;
}

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Lines made mostly of the pieces command lines are made of, so matches are common. */
const commandLine = fc
  .array(
    fc.oneof(
      fc.constantFrom("a1", "UID", "uid", "Uid", "FETCH", "fetch", " ", "  ", "1:*", "(", ")", "x", "*"),
      fc.uint8Array({ maxLength: 6 }).map((bytes) => latin1.decode(bytes)),
    ),
    { maxLength: 20 },
  )
  .map((pieces) => Uint8Array.from(pieces.join(""), (c) => c.charCodeAt(0) & 0xff));

test("readCommandName agrees with the regular-expression rule on any line", () => {
  fc.assert(
    fc.property(fc.oneof(commandLine, fc.uint8Array({ maxLength: 80 })), (line) => {
      assert.equal(readCommandName(line), referenceCommandName(line));
    }),
    { numRuns: 5000 },
  );
});

test("readCommandName skips UID and reads names at the 64-byte window's edge", () => {
  assert.equal(readCommandName(bytesOf("a1 UID FETCH 1 (FLAGS)")), "FETCH");
  assert.equal(readCommandName(bytesOf("a1 uid fetch 1")), "FETCH");
  assert.equal(readCommandName(bytesOf("a1 UID ")), "UID");
  assert.equal(readCommandName(bytesOf("a1 UID")), "UID");
  assert.equal(readCommandName(bytesOf("a1 noop")), "NOOP");
  assert.equal(readCommandName(bytesOf("a1 FETCH2 1")), null);
  assert.equal(readCommandName(bytesOf(" FETCH")), null);
  const longTag = "t".repeat(58);
  assert.equal(readCommandName(bytesOf(`${longTag} APPENDX`)), "APPEN");
  assert.equal(readCommandName(bytesOf(`${"t".repeat(63)} NOOP`)), null);
});

test("readTag reads the tag before the first space", () => {
  assert.equal(readTag(bytesOf("A001 NOOP")), "A001");
  assert.equal(readTag(bytesOf("A001")), null);
  assert.equal(readTag(bytesOf("a+b NOOP")), null);
  assert.equal(readTag(bytesOf(" NOOP")), null);
});

test("latin1Text decodes any bytes as the latin1 TextDecoder does", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.nat(), (bytes, a, b) => {
      const start = Math.min(a % (bytes.length + 1), b % (bytes.length + 1));
      const end = Math.max(a % (bytes.length + 1), b % (bytes.length + 1));
      assert.equal(latin1Text(bytes, start, end), latin1.decode(bytes.subarray(start, end)));
    }),
    { numRuns: 2000 },
  );
});

test("FETCH item lists of the same text are parsed into one shared object (a download's thousands)", () => {
  const options = { isUtf8Accepted: false, maxNesting: 8, maxArguments: 1000 };
  const itemsOf = (line: string, literals: CommandLiteral[] = [], parseOptions = options) => {
    const result = parseCommand({ text: bytesOf(line), literals }, parseOptions);
    assert.equal(result.kind, "command");
    const command = (result as { command: ImapCommand }).command;
    assert.equal(command.name, "fetch");
    return (command as CommandOf<"fetch">).items;
  };
  const first = itemsOf("a1 UID FETCH 7 (BODY.PEEK[])");
  assert.equal(itemsOf("a2 UID FETCH 9:12 (BODY.PEEK[])"), first);
  assert.notEqual(itemsOf("a3 FETCH 1 BODY.PEEK[]"), first, "another text: its own object");
  assert.deepEqual(itemsOf("a3 FETCH 1 BODY.PEEK[]"), first);
  assert.notEqual(itemsOf("a4 FETCH 1 (BODY.PEEK[] FLAGS)"), first);
  // Header field names read as UTF-8 only after UTF8=ACCEPT: the same text is not shared across that.
  const fields = "a5 FETCH 1 (BODY.PEEK[HEADER.FIELDS (Subject)])";
  assert.notEqual(itemsOf(fields, [], { ...options, isUtf8Accepted: true }), itemsOf(fields));
  // A list with a literal in it is not the text of the line: parsed anew each time.
  const withLiteral = "a6 FETCH 1 (BODY.PEEK[HEADER.FIELDS ({7}";
  const literal: CommandLiteral = { size: 7, isBinary: false, bytes: bytesOf("Subject") };
  const once = itemsOf(`${withLiteral}\n)])`, [literal]);
  assert.notEqual(itemsOf(`${withLiteral}\n)])`, [literal]), once);
});

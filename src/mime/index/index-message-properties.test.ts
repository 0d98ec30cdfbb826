// fast-check properties of indexMessage: it never throws on arbitrary bytes or on mutated golden fixtures
// (byte flips, truncations, inserted boundaries and line breaks), and what it returns is always sound.

import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { assertIndexSound } from "./imap-syntax.test-util.js";
import { indexMessage } from "./index-message.js";

const FIXTURES = new URL("../../../../test/fixtures/messages/", import.meta.url);
const fixtures = readdirSync(FIXTURES)
  .filter((file) => file.endsWith(".eml"))
  .sort()
  .map((file) => readFileSync(new URL(file, FIXTURES)));

const SNIPPETS = [
  "\r\n--",
  "--",
  "\r\n\r\n",
  "\n",
  "\r",
  "\0",
  "\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n",
  "\r\nContent-Type: message/rfc822\r\n\r\n",
  "=?utf-8?b?",
  "?=",
  '"',
  "(",
  "<",
  ":;",
  "*0*=utf-8''%",
  "\r\n ",
  "\xff\xfe",
].map((s) => Buffer.from(s, "latin1"));

type Mutation =
  | { readonly kind: "flip"; readonly at: number; readonly value: number }
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "insert"; readonly at: number; readonly snippet: number }
  | { readonly kind: "delete"; readonly at: number; readonly length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), snippet: fc.nat(SNIPPETS.length - 1) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
);

function applyMutation(bytes: Buffer, m: Mutation): Buffer {
  const at = bytes.length === 0 ? 0 : m.at % (bytes.length + 1);
  switch (m.kind) {
    case "flip": {
      if (bytes.length === 0) return bytes;
      const copy = Buffer.from(bytes);
      copy[at % bytes.length] = m.value;
      return copy;
    }
    case "truncate":
      return bytes.subarray(0, at);
    case "insert":
      return Buffer.concat([bytes.subarray(0, at), SNIPPETS[m.snippet] as Buffer, bytes.subarray(at)]);
    case "delete":
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
  }
}

describe("indexMessage properties", () => {
  it("never throws on arbitrary bytes and returns a sound index", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        assertIndexSound(indexMessage(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on header-shaped random text", () => {
    const line = fc
      .array(fc.constantFrom(...SNIPPETS.map((s) => s.toString("latin1")), "a", "b", " ", "x@y", ";", "="), {
        maxLength: 40,
      })
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        assertIndexSound(indexMessage(Buffer.from(lines.join("\r\n"), "latin1")));
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on mutated fixtures and keeps offsets inside the message", () => {
    fc.assert(
      fc.property(
        fc.nat(fixtures.length - 1),
        fc.array(mutation, { minLength: 1, maxLength: 8 }),
        (which, mutations) => {
          let bytes = fixtures[which] as Buffer;
          for (const m of mutations) bytes = applyMutation(bytes, m);
          assertIndexSound(indexMessage(bytes));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

// IMAP reader fuzz with a regression corpus (test/fixtures/fuzz-regressions/imap-wire): every saved input,
// and random protocol-shaped bytes, give the same events however the network cuts them, and the reader
// never throws. FUZZ_RUNS / FUZZ_SEED run it longer or elsewhere.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ImapReader, type ReaderEvent } from "../src/imap/wire/reader.js";
import { fuzzParameters, loadCorpus, splitAt } from "./helpers/fuzz-corpus.js";

const FRAGMENTS = [
  "a1 ",
  "UID ",
  "FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (FROM)]<0.10>)",
  "APPEND INBOX (\\Seen) ",
  "{3}\r\n",
  "{3+}\r\n",
  "~{3}\r\n",
  "{99999999999}\r\n",
  "SEARCH CHARSET KOI8-R OR NOT ",
  'LIST (SUBSCRIBED) "" ("*" %) RETURN (STATUS (MESSAGES))',
  "(",
  ")",
  '"',
  "\\",
  "\r\n",
  "\r",
  "\n",
  "\u0000",
  "&AP8-",
];

/** The events of `bytes` fed in the given pieces; literal chunks are merged so any split compares equal. */
function eventsOf(pieces: readonly Buffer[]): string[] {
  const reader = new ImapReader({ maxLineBytes: 4096, maxLiteralBytes: 1024 });
  const events: string[] = [];
  let literal = "";
  for (const piece of pieces) {
    for (const event of reader.feed(piece)) {
      if (event.kind === "literalChunk") {
        literal += Buffer.from(event.bytes).toString("latin1");
        continue;
      }
      if (literal !== "") {
        events.push(`chunk:${literal}`);
        literal = "";
      }
      events.push(describeEvent(event));
    }
  }
  if (literal !== "") events.push(`chunk:${literal}`);
  return events;
}

function describeEvent(event: ReaderEvent): string {
  return JSON.stringify(event, (_, value) => (typeof value === "bigint" ? String(value) : value));
}

function check(bytes: Buffer, cuts: readonly number[]): void {
  const whole = eventsOf([bytes]);
  assert.deepEqual(eventsOf(splitAt(bytes, cuts)), whole);
}

describe("IMAP reader fuzz", () => {
  it("replays the regression corpus at every split point", () => {
    const corpus = loadCorpus("imap-wire");
    assert.ok(corpus.length >= 10);
    for (const { name, bytes } of corpus) {
      for (let at = 0; at <= bytes.length; at++)
        assert.doesNotThrow(() => check(bytes, [at]), `${name} cut at ${at}`);
      assert.doesNotThrow(
        () =>
          check(
            bytes,
            Array.from({ length: bytes.length }, (_, i) => i),
          ),
        `${name} bytewise`,
      );
    }
  });

  it("gives the same events for random protocol-shaped input however it is cut", () => {
    const input = fc
      .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 12 })), { maxLength: 25 })
      .map((parts) => Buffer.from(parts.join(""), "latin1"));
    const cuts = fc.array(fc.nat(), { maxLength: 6 });
    fc.assert(
      fc.property(input, cuts, (bytes, at) => check(bytes, at)),
      fuzzParameters(1500),
    );
  });
});

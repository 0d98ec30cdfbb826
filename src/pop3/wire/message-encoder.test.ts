import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { encodeWholeCrlfMessage, MessageEncoder } from "./message-encoder.js";

/** The expected wire form, computed on the whole message at once (latin1 keeps every byte). */
function reference(message: string, bodyLineLimit: number | null): string {
  const normalized = message.replace(/(?<!\r)\n/g, "\r\n");
  const endsWithLineEnd = normalized === "" || normalized.endsWith("\r\n");
  const lines = (endsWithLineEnd ? normalized.slice(0, -2) : normalized).split("\r\n");
  if (normalized === "") lines.length = 0;
  let kept = lines;
  if (bodyLineLimit !== null) {
    const blank = lines.indexOf("");
    if (blank >= 0) kept = lines.slice(0, blank + 1 + bodyLineLimit);
  }
  const complete = kept.length < lines.length || endsWithLineEnd || !message.endsWith("\r");
  const body = kept.map((line) => (line.startsWith(".") ? `.${line}` : line)).join("\r\n");
  if (kept.length === 0) return ".\r\n";
  return complete ? `${body}\r\n.\r\n` : `${body}\n.\r\n`;
}

function encode(chunks: readonly Buffer[], bodyLineLimit: number | null): string {
  const encoder = new MessageEncoder(bodyLineLimit);
  const out: Buffer[] = [];
  for (const chunk of chunks) {
    out.push(encoder.encode(chunk));
    if (encoder.isComplete) break;
  }
  out.push(encoder.finish());
  return Buffer.concat(out).toString("latin1");
}

const SAMPLES = [
  "Subject: a\r\n\r\nbody\r\n",
  "Subject: dots\r\n\r\n.one\r\n..two\r\n.\r\nend\r\n",
  "Subject: lf\n\n.line\nlast without newline",
  "Subject: mixed\r\nX: y\n\r\n\nsecond\r\n.third",
  "no header blank line at all\r\n.dot\r\n",
  "Subject: nul\r\n\r\n\u0000\u00ff\r\u0080\r\n",
  "Subject: cr at end\r\n\r\nx\r",
  "",
];

describe("MessageEncoder", () => {
  for (const sample of SAMPLES) {
    for (const limit of [null, 0, 1, 2, 50]) {
      test(`${JSON.stringify(sample.slice(0, 24))} with limit ${limit}, at every split point and byte by byte`, () => {
        const bytes = Buffer.from(sample, "latin1");
        const expected =
          limit === null || sample.includes("\r\n\r\n") || sample.includes("\n\n")
            ? reference(sample, limit)
            : reference(sample, null);
        assert.equal(encode([bytes], limit), expected);
        for (let split = 0; split <= bytes.length; split++) {
          assert.equal(
            encode([bytes.subarray(0, split), bytes.subarray(split)], limit),
            expected,
            `split at ${split}`,
          );
        }
        const single = [...bytes].map((byte) => Buffer.from([byte]));
        assert.equal(encode(single, limit), expected, "byte by byte");
      });
    }
  }

  test("TOP n stops early: it is complete before the whole message has been read", () => {
    const encoder = new MessageEncoder(1);
    encoder.encode(Buffer.from("Subject: x\r\n\r\nfirst\r\nsecond\r\n"));
    assert.equal(encoder.isComplete, true);
    assert.deepEqual(encoder.encode(Buffer.from("more\r\n")), Buffer.alloc(0));
  });
});

describe("encodeWholeCrlfMessage", () => {
  const crlfOnly = (sample: string) => !/(?<!\r)\n/.test(sample);

  test("gives MessageEncoder's bytes for every sample without a bare LF", () => {
    const samples = SAMPLES.filter(crlfOnly);
    assert.ok(samples.length >= 5);
    for (const sample of [...samples, ".first\r\n", "\r\n.\r\n", "..\r\n.", "x\r\n.\r\n.\r\n", "."]) {
      const bytes = Buffer.from(sample, "latin1");
      assert.equal(
        Buffer.concat(encodeWholeCrlfMessage(bytes)).toString("latin1"),
        encode([bytes], null),
        JSON.stringify(sample),
      );
    }
  });

  test("agrees with MessageEncoder on any message without a bare LF", () => {
    const piece = fc.constantFrom("\r\n", ".", "..", "\r", "a", "From: x", " ", "\u00ff", "\r\n.", ".\r\n");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const bytes = Buffer.from(pieces.join(""), "latin1");
        assert.equal(Buffer.concat(encodeWholeCrlfMessage(bytes)).toString("latin1"), encode([bytes], null));
      }),
      { numRuns: 2000 },
    );
  });
});

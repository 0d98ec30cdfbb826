import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ReaderEvent, SmtpReader } from "./smtp-reader.js";

/** Feeds `input` split at `splits`, switching to data mode after a "DATA" line, and collects the outcome. */
function run(
  input: string,
  splits: number[],
  maxLineBytes = 100,
): { lines: string[]; data: string[]; tooLong: number } {
  const reader = new SmtpReader(maxLineBytes);
  const bytes = Buffer.from(input, "latin1");
  const lines: string[] = [];
  const data: string[] = [];
  let current: Buffer[] | null = null;
  let tooLong = 0;
  let start = 0;
  for (const end of [...splits, bytes.length]) {
    reader.push(bytes.subarray(start, end));
    start = end;
    for (let e: ReaderEvent | undefined = reader.next(); e; e = reader.next()) {
      if (e.kind === "line") {
        const line = e.line.toString("latin1");
        lines.push(line);
        if (line === "DATA") {
          reader.beginData();
          current = [];
        }
      } else if (e.kind === "data") current?.push(e.bytes);
      else if (e.kind === "dataEnd") {
        data.push(Buffer.concat(current ?? []).toString("latin1"));
        current = null;
      } else tooLong++;
    }
  }
  return { lines, data, tooLong };
}

function everySplit(input: string, expected: ReturnType<typeof run>, maxLineBytes?: number): void {
  for (let i = 0; i <= input.length; i++) {
    assert.deepEqual(run(input, [i], maxLineBytes), expected, `split at ${i}`);
  }
  for (let i = 0; i <= input.length; i++) {
    for (let j = i; j <= input.length; j += 3) {
      assert.deepEqual(run(input, [i, j], maxLineBytes), expected, `split at ${i},${j}`);
    }
  }
}

describe("SmtpReader", () => {
  it("reads command lines, CRLF or bare LF, at every split point", () => {
    everySplit("EHLO a\r\nMAIL FROM:<x@y>\nQUIT\r\n", {
      lines: ["EHLO a", "MAIL FROM:<x@y>", "QUIT"],
      data: [],
      tooLong: 0,
    });
  });

  it("unstuffs dots and ends data only at CRLF.CRLF, at every split point", () => {
    const input = "DATA\r\nSubject: x\r\n\r\n..leading dot\r\n.\r\n";
    everySplit(`${input}QUIT\r\n`, {
      lines: ["DATA", "QUIT"],
      data: ["Subject: x\r\n\r\n.leading dot\r\n"],
      tooLong: 0,
    });
  });

  it("an empty message is just the terminator", () => {
    everySplit("DATA\r\n.\r\nNOOP\r\n", { lines: ["DATA", "NOOP"], data: [""], tooLong: 0 });
  });

  it("keeps 8-bit and NUL bytes and lone CRs in data untouched", () => {
    const body = "caf\xe9\x00\r x\r\n";
    everySplit(`DATA\r\n${body}.\r\n`, { lines: ["DATA"], data: [body], tooLong: 0 });
  });

  it("smtp-smuggling: a bare-LF dot line does not end the data", () => {
    const input = "DATA\r\nhello\n.\nMAIL FROM:<evil@x>\r\n.\r\n";
    everySplit(input, {
      lines: ["DATA"],
      data: ["hello\n.\nMAIL FROM:<evil@x>\r\n"],
      tooLong: 0,
    });
    assert.deepEqual(run("DATA\r\nhello\r\n.\nRCPT\r\n.\r\n", []).data, ["hello\r\n\nRCPT\r\n"]);
  });

  it("reports an over-long line once and keeps going with the next one", () => {
    const long = "X".repeat(250);
    everySplit(`${long}\r\nNOOP\r\n`, { lines: ["NOOP"], data: [], tooLong: 1 }, 100);
  });

  it("reads a BDAT chunk as raw bytes, dots and CRLF.CRLF included, at every split point", () => {
    const chunk = "a\r\n.\r\n..b";
    const input = `BDAT ${chunk.length}\r\n${chunk}NOOP\r\n`;
    for (let i = 0; i <= input.length; i++) {
      const reader = new SmtpReader(100);
      const events: string[] = [];
      for (const piece of [input.slice(0, i), input.slice(i)]) {
        reader.push(Buffer.from(piece, "latin1"));
        for (let e = reader.next(); e; e = reader.next()) {
          if (e.kind === "line") {
            const line = e.line.toString("latin1");
            events.push(line);
            if (line.startsWith("BDAT")) reader.beginChunk(chunk.length);
          } else if (e.kind === "data") events.push(`data:${e.bytes.toString("latin1")}`);
          else events.push(e.kind);
        }
      }
      const joined = events
        .filter((e) => e.startsWith("data:"))
        .map((e) => e.slice(5))
        .join("");
      assert.equal(joined, chunk, `split at ${i}`);
      assert.deepEqual(
        events.filter((e) => !e.startsWith("data:")),
        [`BDAT ${chunk.length}`, "chunkEnd", "NOOP"],
        `split at ${i}`,
      );
    }
  });

  it("discard drops pipelined bytes (STARTTLS)", () => {
    const reader = new SmtpReader(100);
    reader.push(Buffer.from("STARTTLS\r\nMAIL FROM:<a@b>\r\n"));
    const first = reader.next();
    assert.equal(first?.kind, "line");
    reader.discard();
    assert.equal(reader.next(), undefined);
  });
});

// shiftIndex against a full re-index: for every golden fixture (and hostile starts), indexing
// `prefixA + message` then shifting to prefixB gives exactly the index of `prefixB + message`.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { indexMessage } from "./index-message.js";
import { shiftIndex } from "./shift-index.js";

const FIXTURES = new URL("../../../../test/fixtures/messages/", import.meta.url);

const prefixA = Buffer.from(
  "Return-Path: <s@x.test>\r\nDelivered-To: a@example.test\r\nReceived: from x\r\n\tby y;\r\n\tThu, 1 Jan 2026 00:00:00 +0000\r\n",
);
const prefixB = Buffer.from(
  "Return-Path: <s@x.test>\r\nDelivered-To: a-much-longer-recipient@example.test\r\nReceived: from x\r\n\tby y;\r\n\tThu, 1 Jan 2026 00:00:00 +0000\r\n",
);

function assertShiftMatchesReindex(message: Buffer, label: string): void {
  const fromA = indexMessage(Buffer.concat([prefixA, message]));
  const expectedB = indexMessage(Buffer.concat([prefixB, message]));
  assert.deepEqual(shiftIndex(fromA, prefixA, prefixB), expectedB, `${label}: A→B`);
  assert.deepEqual(shiftIndex(expectedB, prefixB, prefixA), fromA, `${label}: B→A`);
}

describe("shiftIndex", () => {
  it("equals a re-index for every golden fixture", () => {
    const names = readdirSync(FIXTURES).filter((file) => file.endsWith(".eml"));
    assert.ok(names.length > 10);
    for (const name of names) assertShiftMatchesReindex(readFileSync(new URL(name, FIXTURES)), name);
  });

  it("equals a re-index for bare-LF, headerless, continuation-first and empty messages", () => {
    for (const text of [
      "Subject: lf\n\nbody\n",
      "\r\nonly body\r\n",
      " folded start\r\n\r\nx",
      "",
      "no blank line",
    ]) {
      assertShiftMatchesReindex(Buffer.from(text), JSON.stringify(text));
    }
  });

  it("returns the same index for the same prefix", () => {
    const index = indexMessage(Buffer.concat([prefixA, Buffer.from("Subject: s\r\n\r\nb\r\n")]));
    assert.equal(shiftIndex(index, prefixA, prefixA), index);
  });
});

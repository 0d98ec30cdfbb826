// The section resolver against the golden fixtures (section bytes as Dovecot 2.3 serves them) and the
// Dovecot rules for sections that do not exist, HEADER.FIELDS and BINARY parts.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { indexMessage } from "../../mime/index/index-message.js";
import { selectHeaderFields } from "../../mime/select-header-fields.js";
import { decodeTransferEncoding } from "../../mime/transfer-encoding.js";
import type { BodySection, SectionText } from "../wire/fetch-attribute.js";
import {
  clampPartial,
  resolveBinaryPart,
  resolveBodySection,
  type SectionSource,
} from "./section-resolver.js";

const FIXTURES = new URL("../../../../test/fixtures/messages/", import.meta.url);
const load = (name: string): Buffer => readFileSync(new URL(`${name}.eml`, FIXTURES));

function parseSection(name: string): BodySection {
  const match = /^((?:\d+\.)*\d+)?\.?(MIME|HEADER|TEXT)?$/.exec(name);
  assert.ok(match, `bad section name ${name}`);
  const texts: Record<string, SectionText> = {
    MIME: { kind: "mime" },
    HEADER: { kind: "header" },
    TEXT: { kind: "text" },
  };
  return {
    part: match[1] === undefined ? [] : match[1].split(".").map(Number),
    text: match[2] === undefined ? null : (texts[match[2]] ?? null),
  };
}

function bytesOf(raw: Buffer, source: SectionSource): Buffer {
  switch (source.kind) {
    case "empty":
      return Buffer.alloc(0);
    case "range":
      return raw.subarray(source.start, source.end);
    case "headerFields":
      return Buffer.from(
        selectHeaderFields(raw.subarray(source.start, source.end), source.fields, source.isNot),
      );
  }
}

const section = (name: string): BodySection => parseSection(name);
const fields = (part: number[], names: string[], isNot = false): BodySection => ({
  part,
  text: { kind: "headerFields", isNot, fields: names },
});

describe("resolveBodySection golden fixtures", () => {
  const names = readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5));
  for (const name of names) {
    const golden = JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), "utf8")) as {
      sections?: Record<string, string | { base64: string }>;
    };
    if (golden.sections === undefined) continue;
    it(name, () => {
      const raw = load(name);
      const root = indexMessage(raw).root;
      for (const [sectionName, expected] of Object.entries(golden.sections ?? {})) {
        const want =
          typeof expected === "string"
            ? Buffer.from(expected, "utf8")
            : Buffer.from(expected.base64, "base64");
        const got = bytesOf(raw, resolveBodySection(root, parseSection(sectionName)));
        assert.equal(got.toString("latin1"), want.toString("latin1"), `BODY[${sectionName}]`);
      }
    });
  }
});

describe("resolveBodySection rules", () => {
  const raw = load("message-rfc822-forward");
  const root = indexMessage(raw).root;

  it("serves a part that does not exist as empty, as Dovecot does", () => {
    assert.deepEqual(resolveBodySection(root, section("7")), { kind: "empty" });
    assert.deepEqual(resolveBodySection(root, section("2.1.4")), { kind: "empty" });
    assert.deepEqual(resolveBodySection(root, section("1.1")), { kind: "empty" });
  });

  it("serves HEADER and TEXT of a part that is not message/rfc822 as empty", () => {
    assert.deepEqual(resolveBodySection(root, section("1.HEADER")), { kind: "empty" });
    assert.deepEqual(resolveBodySection(root, section("1.TEXT")), { kind: "empty" });
  });

  it("picks HEADER.FIELDS case-insensitively from the message header, keeping the original bytes", () => {
    const got = bytesOf(raw, resolveBodySection(root, fields([], ["subject", "FROM"]))).toString("latin1");
    assert.equal(got, "From: Frank <frank@example.com>\r\nSubject: Fwd: Meeting notes\r\n\r\n");
  });

  it("picks HEADER.FIELDS of an attached message and HEADER.FIELDS.NOT", () => {
    const got = bytesOf(raw, resolveBodySection(root, fields([2], ["Subject"]))).toString("latin1");
    assert.equal(got, "Subject: Meeting notes\r\n\r\n");
    const not = bytesOf(
      raw,
      resolveBodySection(
        root,
        fields([2], ["from", "to", "date", "message-id", "mime-version", "content-type"], true),
      ),
    ).toString("latin1");
    assert.equal(not, "Subject: Meeting notes\r\n\r\n");
  });

  it("gives a lone CRLF for HEADER.FIELDS that match nothing, and empty for a non-message part", () => {
    assert.equal(
      bytesOf(raw, resolveBodySection(root, fields([], ["X-Nothing"]))).toString("latin1"),
      "\r\n",
    );
    assert.deepEqual(resolveBodySection(root, fields([1], ["Subject"])), { kind: "empty" });
  });

  it("treats part 1 of a single-part message as its body", () => {
    const simple = load("simple-text");
    const simpleRoot = indexMessage(simple).root;
    assert.deepEqual(
      bytesOf(simple, resolveBodySection(simpleRoot, section("1"))),
      bytesOf(simple, resolveBodySection(simpleRoot, section("TEXT"))),
    );
    assert.deepEqual(resolveBodySection(simpleRoot, section("2")), { kind: "empty" });
  });
});

describe("resolveBinaryPart", () => {
  const raw = load("text-calendar-and-base64-text");
  const root = indexMessage(raw).root;

  it("decodes a base64 part", () => {
    const source = resolveBinaryPart(root, [1]);
    assert.equal(source.kind, "decode");
    if (source.kind !== "decode") return;
    const decoded = Buffer.from(
      decodeTransferEncoding(raw.subarray(source.start, source.end), source.encoding),
    );
    assert.equal(decoded.toString("utf8"), "Invitation: Team meeting at 10:00\nOrganizer: Änton");
  });

  it("serves a 7bit part and the whole message as stored, a missing part as empty", () => {
    const seven = resolveBinaryPart(root, [2]);
    assert.equal(seven.kind, "range");
    if (seven.kind === "range")
      assert.match(raw.subarray(seven.start, seven.end).toString(), /^BEGIN:VCALENDAR/);
    assert.deepEqual(resolveBinaryPart(root, []), { kind: "range", start: 0, end: raw.length });
    assert.deepEqual(resolveBinaryPart(root, [3]), { kind: "empty" });
  });

  it("reports an unknown Content-Transfer-Encoding", () => {
    const odd = Buffer.from(
      "Subject: x\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 a\r\n",
    );
    assert.deepEqual(resolveBinaryPart(indexMessage(odd).root, [1]), {
      kind: "unknownEncoding",
      encoding: "x-uuencode",
    });
  });
});

describe("clampPartial", () => {
  it("cuts <origin.count> to the piece and is empty past its end", () => {
    assert.deepEqual(clampPartial(100, null), { from: 0, to: 100 });
    assert.deepEqual(clampPartial(100, { offset: 10, length: 20 }), { from: 10, to: 30 });
    assert.deepEqual(clampPartial(100, { offset: 90, length: 20 }), { from: 90, to: 100 });
    assert.deepEqual(clampPartial(100, { offset: 150, length: 20 }), { from: 100, to: 100 });
  });
});

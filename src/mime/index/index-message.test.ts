// Golden tests: every test/fixtures/messages/NAME.eml against NAME.json (ENVELOPE, BODYSTRUCTURE, BODY and
// section bytes as served by Dovecot, regenerated with scripts/mime-goldens-dovecot.py; see each "note").

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { type SectionKind, sectionRange } from "../section-range.js";
import { indexMessage } from "./index-message.js";

const FIXTURES = new URL("../../../../test/fixtures/messages/", import.meta.url);

interface Golden {
  readonly envelope: string;
  readonly bodyStructure: string;
  readonly body: string;
  readonly sections?: Readonly<Record<string, string | { readonly base64: string }>>;
}

function parseSection(name: string): { path: number[]; kind: SectionKind } {
  const match = /^((?:\d+\.)*\d+)?\.?(MIME|HEADER|TEXT)?$/.exec(name);
  assert.ok(match, `bad section name ${name}`);
  return {
    path: match[1] === undefined ? [] : match[1].split(".").map(Number),
    kind: (match[2] as SectionKind | undefined) ?? "content",
  };
}

const names = readdirSync(FIXTURES)
  .filter((file) => file.endsWith(".eml"))
  .map((file) => file.slice(0, -4))
  .sort();

describe("indexMessage golden fixtures", () => {
  it("has at least 30 fixtures", () => {
    assert.ok(names.length >= 30, `only ${names.length} fixtures`);
  });
  for (const name of names) {
    it(name, () => {
      const raw = readFileSync(new URL(`${name}.eml`, FIXTURES));
      const golden = JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), "utf8")) as Golden;
      const index = indexMessage(raw);
      assert.equal(index.envelope, golden.envelope, "ENVELOPE");
      assert.equal(index.bodyStructure, golden.bodyStructure, "BODYSTRUCTURE");
      assert.equal(index.body, golden.body, "BODY");
      assert.equal(index.size, raw.length);
      for (const [section, expected] of Object.entries(golden.sections ?? {})) {
        const { path, kind } = parseSection(section);
        const range = sectionRange(index.root, path, kind);
        const got = range === null ? Buffer.alloc(0) : raw.subarray(range.start, range.end);
        const want =
          typeof expected === "string"
            ? Buffer.from(expected, "utf8")
            : Buffer.from(expected.base64, "base64");
        assert.equal(got.toString("latin1"), want.toString("latin1"), `BODY[${section}]`);
      }
    });
  }
});

describe("indexMessage decoded content", () => {
  const load = (name: string) => indexMessage(readFileSync(new URL(`${name}.eml`, FIXTURES)));

  it("decodes ISO-8859-1 subject, names and quoted-printable body", () => {
    const index = load("charset-iso-8859-1");
    assert.equal(index.headers.subject, "Grüße aus Köln");
    assert.deepEqual(index.headers.from, [{ name: "André Müller", address: "andre@example.de" }]);
    assert.equal(index.preview, "Schöne Grüße aus Köln, bis bald!");
  });

  it("decodes Shift_JIS, KOI8-R and ISO-2022-JP", () => {
    const sjis = load("charset-shift-jis");
    assert.equal(sjis.headers.subject, "お知らせ");
    assert.deepEqual(sjis.headers.from, [{ name: "田中太郎", address: "tanaka@example.jp" }]);
    assert.equal(sjis.preview, "こんにちは、世界。");
    const koi = load("charset-koi8-r");
    assert.equal(koi.headers.subject, "Привет");
    assert.equal(koi.preview, "Привет, как дела?");
    const jis = load("charset-iso-2022-jp");
    assert.equal(jis.headers.subject, "ご案内です");
    assert.equal(jis.preview, "日本語のメールです。");
  });

  it("joins adjacent encoded-words and keeps text between them", () => {
    const index = load("encoded-words-mixed");
    assert.equal(index.headers.subject, "Hello World  and ✓plain café");
    const from = index.headers.from[0];
    assert.deepEqual(from, { name: "Renée Façon", address: "renee@example.com" });
    assert.deepEqual(index.headers.to[0], { name: "山田", address: "yamada@example.com" });
  });

  it("decodes RFC 2231 parameters in the part tree", () => {
    const root = load("rfc2231-filenames").root;
    assert.equal(root.children[1]?.params.name, "a very long file name that needs continuations.bin");
    assert.equal(root.children[2]?.params.name, "€ rates.txt");
    assert.equal(root.children[2]?.disposition?.params.filename, "Grüße aus Köln.txt");
  });

  it("strips HTML for search text and preview", () => {
    const index = load("alternative-text-html");
    assert.equal(index.preview, "Spring sale: 20 % off everything until Sunday.");
    assert.match(index.searchText, /Spring sale: 20 % off everything…/);
    assert.doesNotMatch(index.searchText, /color:red|<p>/);
  });

  it("fills headers, threading ids and attachment flag", () => {
    const index = load("sender-reply-to");
    assert.equal(index.headers.messageId, "child@example.com");
    assert.deepEqual(index.headers.inReplyTo, ["parent@example.com"]);
    assert.deepEqual(index.headers.references, ["root@example.com", "parent@example.com"]);
    assert.equal(index.headers.sentAtMs, Date.UTC(2024, 8, 11, 11, 11, 11));
    assert.equal(index.hasAttachment, false);
    assert.equal(load("multipart-mixed-attachments").hasAttachment, true);
    const groups = load("groups-in-to").headers;
    assert.deepEqual(groups.to, [{ group: "undisclosed-recipients", members: [] }]);
    assert.deepEqual(groups.cc[0], {
      group: "Team",
      members: [
        { name: null, address: "alice@example.com" },
        { name: "Bob B.", address: "bob@example.com" },
      ],
    });
  });

  it("decodes base64 text for search", () => {
    const index = load("text-calendar-and-base64-text");
    assert.match(index.searchText, /Organizer: Änton/);
    assert.match(index.preview, /^Invitation: Team meeting at 10:00 Organizer: Änton$/);
  });

  it("gives message/rfc822 parts their encapsulated envelope", () => {
    const part = load("message-rfc822-forward").root.children[1];
    assert.ok(part?.messageEnvelope?.startsWith('("Wed, 10 Apr 2024 17:30:00 +0100" "Meeting notes"'));
    assert.equal(part?.message?.type, "text");
  });
});

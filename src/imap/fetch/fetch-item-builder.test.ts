// The FETCH item builder over an in-memory blob: which bytes each item carries, partial origins, NUL
// handling (0x80 in BODY, literal8 in BINARY), and the plan's decisions about what to load.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BlobHash, EmailId, MailboxId, ModSeq, ThreadId, Uid } from "../../kit/ids.js";
import { indexMessage } from "../../mime/index/index-message.js";
import type { EmailSummary, MailboxEntry } from "../../store/mail-store.js";
import type { FetchAttribute } from "../wire/fetch-attribute.js";
import type { FetchResponseItem, LiteralContent } from "../wire/response.js";
import type { BlobRanges } from "./body-content.js";
import { buildFetchItems, buildFetchItemsNow, UnknownCteError } from "./fetch-item-builder.js";
import { planFetch } from "./fetch-plan.js";

const RAW = Buffer.from(
  [
    "From: a@example.com",
    "Subject: Parts",
    "Content-Type: multipart/mixed; boundary=b",
    "",
    "--b",
    "Content-Type: text/plain",
    "",
    "nul:\0:end",
    "--b",
    "Content-Type: application/octet-stream",
    "Content-Transfer-Encoding: base64",
    "",
    Buffer.from([1, 0, 2, 3]).toString("base64"),
    "--b",
    "Content-Type: text/plain",
    "Content-Transfer-Encoding: x-unknown",
    "",
    "???",
    "--b--",
    "",
  ].join("\r\n"),
  "latin1",
);

const blobs: BlobRanges = {
  async *readRange(_hash, start, end) {
    // Two chunks, so consumers cannot assume one.
    const middle = Math.floor((start + end) / 2);
    yield RAW.subarray(start, middle);
    yield RAW.subarray(middle, end);
  },
};

const entry: MailboxEntry = {
  mailboxId: "M1" as MailboxId,
  uid: 7 as Uid,
  modSeq: 12 as ModSeq,
  flags: { system: new Set(["\\Seen"]), keywords: ["$Label1"] },
  emailId: "E1" as EmailId,
  threadId: "T1" as ThreadId,
  size: RAW.length,
  internalDateMs: Date.UTC(2024, 4, 14, 7, 12, 31),
  saveDateMs: Date.UTC(2024, 4, 15, 0, 0, 0),
  blobHash: undefined,
  crlfSize: undefined,
};
const index = indexMessage(RAW);
const summary: EmailSummary = {
  emailId: entry.emailId,
  blobHash: "h" as BlobHash,
  size: RAW.length,
  crlfSize: index.crlfSize,
  envelope: index.envelope,
  bodyStructure: index.bodyStructure,
  body: index.body,
  preview: index.preview,
};

async function build(attributes: FetchAttribute[]): Promise<FetchResponseItem[]> {
  return buildFetchItems(
    attributes,
    { entry, flags: ["\\Seen", "$Label1"], summary, loadIndex: async () => index },
    blobs,
  );
}

async function bytesOf(content: LiteralContent | null): Promise<Buffer> {
  assert.ok(content);
  if (content.kind === "bytes") return Buffer.from(content.bytes);
  const chunks: Uint8Array[] = [];
  for await (const chunk of content.chunks) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  assert.equal(bytes.length, content.size, "announced size");
  return bytes;
}

const body = (part: number[], partial: { offset: number; length: number } | null = null): FetchAttribute => ({
  kind: "BODY[]",
  isPeek: true,
  section: { part, text: null },
  partial,
});

describe("buildFetchItems", () => {
  it("answers the simple items from the entry and summary", async () => {
    const items = await build([
      { kind: "UID" },
      { kind: "FLAGS" },
      { kind: "RFC822.SIZE" },
      { kind: "INTERNALDATE" },
      { kind: "EMAILID" },
      { kind: "THREADID" },
      { kind: "MODSEQ" },
      { kind: "ENVELOPE" },
    ]);
    assert.deepEqual(items.slice(0, 3), [
      { kind: "UID", uid: 7 },
      { kind: "FLAGS", flags: ["\\Seen", "$Label1"] },
      { kind: "RFC822.SIZE", size: RAW.length },
    ]);
    assert.deepEqual(items[3], {
      kind: "INTERNALDATE",
      date: { year: 2024, month: 5, day: 14, hour: 7, minute: 12, second: 31, zoneMinutes: 0 },
    });
    assert.deepEqual(items.slice(4, 7), [
      { kind: "EMAILID", id: "E1" },
      { kind: "THREADID", id: "T1" },
      { kind: "MODSEQ", modSeq: 12 },
    ]);
    assert.deepEqual(items[7], { kind: "ENVELOPE", rendered: index.envelope });
  });

  it("streams the whole message with its size and cuts partials, reporting the origin", async () => {
    const [whole, partial, beyond] = await build([
      body([]),
      body([], { offset: 6, length: 7 }),
      body([], { offset: 9999, length: 5 }),
    ]);
    assert.ok(whole?.kind === "BODY[]" && partial?.kind === "BODY[]" && beyond?.kind === "BODY[]");
    assert.equal(whole.origin, null);
    assert.equal(
      (await bytesOf(whole.content)).toString("latin1"),
      RAW.toString("latin1").replace("\0", "\x80"),
    );
    assert.equal(partial.origin, 6);
    assert.equal((await bytesOf(partial.content)).toString("latin1"), "a@examp");
    assert.equal(beyond.origin, 9999);
    assert.equal((await bytesOf(beyond.content)).length, 0);
  });

  it("sends NUL as 0x80 in BODY and untouched as literal8 in BINARY", async () => {
    const [text, binary, size] = await build([
      body([1]),
      { kind: "BINARY[]", isPeek: true, part: [2], partial: null },
      { kind: "BINARY.SIZE", part: [2] },
    ]);
    assert.ok(text?.kind === "BODY[]" && binary?.kind === "BINARY[]");
    assert.equal((await bytesOf(text.content)).toString("latin1"), "nul:\x80:end");
    assert.deepEqual([...(await bytesOf(binary.content))], [1, 0, 2, 3]);
    assert.equal(binary.content?.isBinary, true);
    assert.deepEqual(size, { kind: "BINARY.SIZE", part: [2], size: 4 });
  });

  it("serves a missing part as an empty literal and refuses an unknown encoding for BINARY", async () => {
    const [missing] = await build([body([9])]);
    assert.ok(missing?.kind === "BODY[]");
    assert.deepEqual(missing.content, { kind: "bytes", bytes: new Uint8Array(0) });
    await assert.rejects(
      build([{ kind: "BINARY[]", isPeek: true, part: [3], partial: null }]),
      UnknownCteError,
    );
    await assert.rejects(build([{ kind: "BINARY.SIZE", part: [3] }]), UnknownCteError);
  });

  it("serves RFC822.HEADER and RFC822.TEXT as the header and body", async () => {
    const [header, text] = await build([{ kind: "RFC822.HEADER" }, { kind: "RFC822.TEXT" }]);
    assert.ok(header?.kind === "RFC822.HEADER" && text?.kind === "RFC822.TEXT");
    const all = RAW.toString("latin1").replace("\0", "\x80");
    const split = all.indexOf("\r\n\r\n") + 4;
    assert.equal((await bytesOf(header.content)).toString("latin1"), all.slice(0, split));
    assert.equal((await bytesOf(text.content)).toString("latin1"), all.slice(split));
  });
});

describe("buildFetchItemsNow", () => {
  const reads: [number, number][] = [];
  const blobsNow: BlobRanges = {
    readRange: blobs.readRange,
    readRangeNow(hash, start, end) {
      reads.push([start, end]);
      return hash === ("h" as BlobHash) ? RAW.subarray(start, end) : null;
    },
  };
  const message = { entry, flags: ["\\Seen"], summary, loadIndex: async () => index };
  const wholeItems: FetchAttribute[] = [
    { kind: "UID" },
    body([]),
    body([], { offset: 6, length: 7 }),
    body([], { offset: 9999, length: 5 }),
    { kind: "RFC822" },
    { kind: "BINARY[]", isPeek: true, part: [], partial: null },
    { kind: "RFC822.SIZE" },
  ];

  it("builds whole-message items with the bytes the awaited builder sends, reading the blob once", async () => {
    reads.length = 0;
    const now = buildFetchItemsNow(wholeItems, message, blobsNow);
    assert.ok(now !== null);
    assert.deepEqual(reads, [[0, RAW.length]]);
    const awaited = await buildFetchItems(wholeItems, message, blobs);
    assert.equal(now.length, awaited.length);
    for (const [i, item] of now.entries()) {
      const other = awaited[i] as FetchResponseItem;
      assert.equal(item.kind, other.kind);
      if ("content" in item && "content" in other) {
        assert.deepEqual(await bytesOf(item.content), await bytesOf(other.content), `item ${i}`);
        assert.equal(item.content?.isBinary, other.content?.isBinary);
        assert.equal("origin" in item && item.origin, "origin" in other && other.origin);
      } else {
        assert.deepEqual(item, other);
      }
    }
  });

  it("takes the blob from the snapshot entry without a summary", () => {
    const bare = { ...message, entry: { ...entry, blobHash: "h" as BlobHash }, summary: undefined };
    const items = buildFetchItemsNow([body([])], bare, blobsNow);
    assert.ok(items?.[0]?.kind === "BODY[]" && items[0].content?.kind === "bytes");
    assert.equal(items[0].content.bytes.length, RAW.length);
  });

  it("leaves sections, and blobs the store cannot read at once, to the awaited builder", () => {
    assert.equal(buildFetchItemsNow([body([1])], message, blobsNow), null);
    assert.equal(buildFetchItemsNow([{ kind: "RFC822.HEADER" }], message, blobsNow), null);
    assert.equal(buildFetchItemsNow([body([])], message, blobs), null, "no readRangeNow");
    const elsewhere = { ...message, summary: { ...summary, blobHash: "other" as BlobHash } };
    assert.equal(buildFetchItemsNow([body([])], elsewhere, blobsNow), null);
  });
});

describe("planFetch", () => {
  it("needs neither summaries nor indexes for UID and FLAGS", () => {
    const plan = planFetch({ kind: "attributes", attributes: [{ kind: "FLAGS" }] }, true, false);
    assert.deepEqual(plan, {
      attributes: [{ kind: "UID" }, { kind: "FLAGS" }],
      needsSummary: false,
      summaryTexts: [],
      needsIndex: false,
      setsSeen: false,
      readsContent: false,
    });
  });

  it("loads summaries only for listing items, and indexes only for sections", () => {
    const whole = planFetch({ kind: "attributes", attributes: [body([])] }, false, false);
    assert.equal(whole.needsSummary, false, "the snapshot entry names the blob");
    assert.equal(whole.needsIndex, false);
    const part = planFetch({ kind: "attributes", attributes: [body([1])] }, false, false);
    assert.equal(part.needsIndex, true);
    assert.equal(part.needsSummary, false);
    const listing = planFetch(
      { kind: "attributes", attributes: [{ kind: "ENVELOPE" }, body([])] },
      false,
      false,
    );
    assert.equal(listing.needsSummary, true);
    assert.deepEqual(listing.summaryTexts, ["envelope"], "only the texts the items show are read");
    const all = planFetch({ kind: "macro", macro: "FULL" }, false, false);
    assert.deepEqual(all.summaryTexts, ["envelope", "body"]);
  });

  it("reads content only for body sections, BINARY and RFC822 items, not for the listing items", () => {
    const readsContent = (attributes: FetchAttribute[]) =>
      planFetch({ kind: "attributes", attributes }, false, false).readsContent;
    assert.equal(
      readsContent([{ kind: "ENVELOPE" }, { kind: "BODYSTRUCTURE" }, { kind: "PREVIEW", isLazy: false }]),
      false,
    );
    assert.equal(readsContent([{ kind: "FLAGS" }, body([])]), true);
    assert.equal(readsContent([{ kind: "RFC822.HEADER" }]), true);
    assert.equal(readsContent([{ kind: "BINARY.SIZE", part: [1] }]), true);
  });

  it("sets \\Seen only for non-PEEK bodies, RFC822 and RFC822.TEXT", () => {
    const seen = (attributes: FetchAttribute[]) =>
      planFetch({ kind: "attributes", attributes }, false, false).setsSeen;
    assert.equal(seen([body([])]), false);
    assert.equal(
      seen([{ kind: "BODY[]", isPeek: false, section: { part: [], text: null }, partial: null }]),
      true,
    );
    assert.equal(seen([{ kind: "RFC822" }]), true);
    assert.equal(seen([{ kind: "RFC822.HEADER" }]), false);
    assert.equal(seen([{ kind: "BINARY[]", isPeek: false, part: [1], partial: null }]), true);
  });

  it("expands macros and adds MODSEQ for CHANGEDSINCE", () => {
    const plan = planFetch({ kind: "macro", macro: "FAST" }, false, true);
    assert.deepEqual(
      plan.attributes.map((a) => a.kind),
      ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "MODSEQ"],
    );
  });
});
